//! The open town: layers in draw order with their display settings and prepared geometry, the
//! selected feature, and the working CRS they share.

use std::sync::Arc;

use geo_types::{Coord, Rect as GeoRect};

use super::cache::{LayerMeshes, Prepared};
use super::style::{FeatureStyle, LegendEntry, legend, role_style};
use crate::app::i18n::{Lang, tx};
use crate::crs::Crs;
use crate::model::{GeometryKind, Layer, QualityRecord, Role, Taxonomy};

/// A layer's identity for the session (stable while layers are added, moved and removed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LayerId(pub u64);

/// A layer with what the app needs to show it.
pub struct MapLayer {
    pub id: LayerId,
    pub layer: Arc<Layer>,
    pub visible: bool,
    /// 0.0 (invisible) to 1.0 (opaque).
    pub opacity: f32,
    pub kind: GeometryKind,
    pub base_style: FeatureStyle,
    pub prepared: Prepared,
    pub meshes: LayerMeshes,
    /// Set for analysis overlays (isochrones, grid, gaps, uncovered buildings).
    pub overlay: Option<Overlay>,
    /// What was read only partly, guessed or left out (数据质量), worked out once on load and
    /// again on a role change.
    pub quality: Vec<QualityRecord>,
    /// The legend rows, counted once (a facility layer's are counted over all its features, so
    /// never per frame); cleared when the role changes.
    legend_rows: std::cell::OnceCell<Vec<LegendEntry>>,
}

/// What makes a layer an analysis overlay.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    pub kind: OverlayKind,
    /// Labels drawn on the map at points in the working CRS, worded in the app's language
    /// when drawn.
    pub labels: Vec<([f64; 2], MapLabel)>,
}

/// A label of an overlay on the map.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MapLabel {
    /// A number of people (a gap's population).
    People(f64),
    /// A suggested site: its number and the people it adds.
    Site { rank: usize, people: f64 },
}

/// Geometry work done off the UI thread when a layer is loaded.
pub struct PreparedLayer {
    pub layer: Layer,
    pub prepared: Prepared,
}

impl PreparedLayer {
    /// Chunk a layer (run on a worker thread); picking goes through the chunks.
    pub fn new(layer: Layer) -> Self {
        let prepared = Prepared::new(&layer);
        PreparedLayer { layer, prepared }
    }

    /// Chunk a layer as its maker cut it ([`KeyedChunks`]).
    pub fn keyed(layer: Layer, chunks: KeyedChunks) -> Self {
        let prepared = Prepared::keyed(&layer, chunks);
        PreparedLayer { layer, prepared }
    }
}

impl MapLayer {
    pub fn new(id: LayerId, p: PreparedLayer) -> Self {
        let kind = p.layer.geometry_kind();
        let quality = crate::io::quality::layer_records(&p.layer);
        MapLayer {
            quality,
            id,
            base_style: role_style(p.layer.role, kind),
            layer: Arc::new(p.layer),
            visible: true,
            opacity: 1.0,
            kind,
            prepared: p.prepared,
            meshes: LayerMeshes::default(),
            overlay: None,
            legend_rows: std::cell::OnceCell::new(),
        }
    }

    /// The legend rows of this layer (overlays: their own style), counted on first use.
    pub fn legend(&self, taxonomy: &Taxonomy) -> &[LegendEntry] {
        self.legend_rows.get_or_init(|| {
            if self.overlay.is_some() {
                return vec![LegendEntry {
                    group: None,
                    style: self.base_style,
                    count: self.layer.features.len(),
                }];
            }
            legend(&self.layer, self.role(), taxonomy)
        })
    }

    pub fn role(&self) -> Option<Role> {
        self.layer.role
    }

    /// A short name for lists: the layer name, with the table when a file has several.
    pub fn title(&self) -> String {
        self.layer.name.clone()
    }

    /// Change the role; facilities get classified when they were not yet. The look follows.
    pub fn set_role(&mut self, role: Option<Role>, taxonomy: &Taxonomy) {
        let layer = Arc::make_mut(&mut self.layer);
        layer.role = role;
        if role == Some(Role::Facilities) && layer.classification.is_none() {
            layer.classification = Some(taxonomy.classify_layer(layer));
        }
        self.base_style = role_style(role, self.kind);
        self.meshes.clear();
        self.legend_rows = std::cell::OnceCell::new();
        self.quality = crate::io::quality::layer_records(layer);
    }

    /// Does any data-quality record of this layer mean features were not read?
    pub fn lost_features(&self) -> bool {
        self.quality.iter().any(|q| q.loses_features)
    }
}

/// Which feature is selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    pub layer: LayerId,
    pub feature: usize,
}

/// The open layers, bottom first.
pub struct Document {
    pub working_crs: Option<Crs>,
    pub layers: Vec<MapLayer>,
    pub selection: Option<Selection>,
    pub taxonomy: Taxonomy,
    next_id: u64,
}

impl Default for Document {
    fn default() -> Self {
        Document {
            working_crs: None,
            layers: Vec::new(),
            selection: None,
            taxonomy: Taxonomy::default(),
            next_id: 1,
        }
    }
}

/// Where a role goes in the default draw order (higher is drawn later, on top).
pub fn role_rank(role: Option<Role>) -> u8 {
    match role {
        Some(Role::Water) => 0,
        Some(Role::BuiltUpArea) => 1,
        // Parcels' fills lie under the buildings and the networks.
        Some(Role::Parcels) => 1,
        Some(Role::Villages) => 2,
        Some(Role::Grid) => 3,
        Some(Role::Buildings) => 4,
        Some(Role::Population) => 4,
        None => 5,
        Some(Role::Sewers) => 6,
        Some(Role::Roads) => 7,
        Some(Role::Greenway) => 8,
        Some(Role::AdminBoundaries) => 9,
        Some(Role::Boundary) => 10,
        Some(Role::Facilities) => 11,
    }
}

use crate::io::load::union_rect as union;

impl Document {
    /// Add a prepared layer at its role's place in the draw order; returns its id.
    pub fn add(&mut self, p: PreparedLayer) -> LayerId {
        let id = LayerId(self.next_id);
        self.next_id += 1;
        let rank = role_rank(p.layer.role);
        let at = self
            .layers
            .iter()
            .rposition(|l| role_rank(l.role()) <= rank)
            .map_or(0, |i| i + 1);
        self.layers.insert(at, MapLayer::new(id, p));
        id
    }

    pub fn get(&self, id: LayerId) -> Option<&MapLayer> {
        self.layers.iter().find(|l| l.id == id)
    }

    pub fn get_mut(&mut self, id: LayerId) -> Option<&mut MapLayer> {
        self.layers.iter_mut().find(|l| l.id == id)
    }

    pub fn position(&self, id: LayerId) -> Option<usize> {
        self.layers.iter().position(|l| l.id == id)
    }

    /// Remove a layer (and the selection in it).
    pub fn remove(&mut self, id: LayerId) {
        self.layers.retain(|l| l.id != id);
        if self.selection.is_some_and(|s| s.layer == id) {
            self.selection = None;
        }
        if self.layers.is_empty() {
            self.working_crs = None;
        }
    }

    /// Add an analysis overlay above the base map, below roads and facilities.
    pub fn add_overlay(&mut self, o: impl Into<ReadyOverlay>) -> LayerId {
        let o: ReadyOverlay = o.into();
        let id = LayerId(self.next_id);
        self.next_id += 1;
        let mut l = MapLayer::new(id, o.layer);
        l.base_style = o.style;
        l.overlay = Some(Overlay {
            kind: o.kind,
            labels: o.labels,
        });
        // Above roads, greenways and the boundary (tinting them), under the facilities.
        let at = self
            .layers
            .iter()
            .position(|m| m.overlay.is_none() && m.role() == Some(Role::Facilities))
            .unwrap_or(self.layers.len());
        self.layers.insert(at, l);
        id
    }

    /// Replace the overlays of `kinds` with `overlays` (kept hidden where one of their kind
    /// was). A keyed overlay takes over the drawings of the chunks whose keys it shares with
    /// the overlay of the same kind and name it replaces; the old layers are dropped on
    /// another thread (a time grid's quarter of a million squares takes a while to free).
    ///
    /// An overlay made with chunks left out ([`OverlayLayer::kept`]) takes their features from
    /// the overlay it replaces. Returns how many overlays could not (the map changed since
    /// their job started): those are shown without the chunks left out, and the caller makes
    /// them again whole.
    pub fn replace_overlays(
        &mut self,
        kinds: &[OverlayKind],
        overlays: Vec<ReadyOverlay>,
    ) -> usize {
        let hidden: Vec<OverlayKind> = kinds
            .iter()
            .copied()
            .filter(|k| !self.overlay_state(*k).unwrap_or(k.shown_at_first()))
            .collect();
        let (mut old, keep): (Vec<MapLayer>, Vec<MapLayer>) = std::mem::take(&mut self.layers)
            .into_iter()
            .partition(|l| l.overlay.as_ref().is_some_and(|o| kinds.contains(&o.kind)));
        self.layers = keep;
        if self
            .selection
            .is_some_and(|s| old.iter().any(|l| l.id == s.layer))
        {
            self.selection = None;
        }
        let mut incomplete = 0;
        for mut o in overlays {
            let (kind, name) = (o.kind, o.layer.layer.name.clone());
            let predecessor = |l: &MapLayer, o: &ReadyOverlay| {
                l.overlay.as_ref().is_some_and(|lo| lo.kind == kind)
                    && l.layer.name == name
                    && l.prepared.origin == o.layer.prepared.origin
                    && l.base_style == o.style
                    && !l.prepared.keys.is_empty()
            };
            if !o.kept.is_empty() {
                let taken = old
                    .iter_mut()
                    .find(|l| predecessor(l, &o))
                    .is_some_and(|prev| o.take_kept(prev));
                if !taken {
                    incomplete += 1;
                    o.kept.clear();
                }
            }
            let id = self.add_overlay(o);
            let Some(new) = self.layers.iter_mut().find(|l| l.id == id) else {
                continue;
            };
            if new.prepared.keys.is_empty() {
                continue;
            }
            if let Some(prev) = old.iter_mut().find(|l| {
                l.overlay.as_ref().is_some_and(|o| o.kind == kind)
                    && l.layer.name == name
                    && l.prepared.origin == new.prepared.origin
                    && l.base_style == new.base_style
                    && !l.prepared.keys.is_empty()
            }) {
                new.meshes =
                    LayerMeshes::adopt(&mut prev.meshes, &prev.prepared.keys, &new.prepared.keys);
                new.opacity = prev.opacity;
            }
        }
        for k in hidden {
            self.set_overlay_visible(k, false);
        }
        old.retain(|l| l.layer.features.len() > 10_000);
        if !old.is_empty() {
            std::thread::spawn(move || drop(old));
        }
        incomplete
    }

    /// The chunk keys of the overlays of `kinds` on the map ([`ShownChunks`]).
    pub fn shown_chunks(&self, kinds: &[OverlayKind]) -> ShownChunks {
        ShownChunks(
            self.layers
                .iter()
                .filter_map(|l| {
                    let o = l.overlay.as_ref().filter(|o| kinds.contains(&o.kind))?;
                    (!l.prepared.keys.is_empty()).then(|| {
                        (
                            (o.kind, l.layer.name.clone()),
                            l.prepared.keys.iter().copied().collect(),
                        )
                    })
                })
                .collect(),
        )
    }

    /// Remove every analysis overlay.
    pub fn remove_overlays(&mut self) {
        let ids: Vec<LayerId> = self
            .layers
            .iter()
            .filter(|l| l.overlay.is_some())
            .map(|l| l.id)
            .collect();
        for id in ids {
            self.remove(id);
        }
    }

    /// Show or hide every overlay of a kind.
    pub fn set_overlay_visible(&mut self, kind: OverlayKind, visible: bool) {
        for l in &mut self.layers {
            if l.overlay.as_ref().is_some_and(|o| o.kind == kind) {
                l.visible = visible;
            }
        }
    }

    /// Whether any overlay of a kind exists, and whether one is visible.
    pub fn overlay_state(&self, kind: OverlayKind) -> Option<bool> {
        let mut of_kind = self
            .layers
            .iter()
            .filter(|l| l.overlay.as_ref().is_some_and(|o| o.kind == kind))
            .peekable();
        of_kind.peek()?;
        Some(of_kind.any(|l| l.visible))
    }

    /// Remove every layer.
    pub fn clear(&mut self) {
        self.layers.clear();
        self.selection = None;
        self.working_crs = None;
    }

    /// Draw the layer later (higher in the layers list).
    pub fn raise(&mut self, id: LayerId) {
        if let Some(i) = self.position(id)
            && i + 1 < self.layers.len()
        {
            self.layers.swap(i, i + 1);
        }
    }

    /// Draw the layer earlier (lower in the layers list).
    pub fn lower(&mut self, id: LayerId) {
        if let Some(i) = self.position(id)
            && i > 0
        {
            self.layers.swap(i, i - 1);
        }
    }

    /// The box around all layers.
    pub fn extent(&self) -> Option<GeoRect<f64>> {
        self.layers
            .iter()
            .filter_map(|l| l.prepared.extent)
            .reduce(union)
    }

    /// The town's box: the boundary (镇域) when there is one, else all layers.
    pub fn town_extent(&self) -> Option<GeoRect<f64>> {
        self.layers
            .iter()
            .filter(|l| l.role() == Some(Role::Boundary))
            .filter_map(|l| l.prepared.extent)
            .reduce(union)
            .or_else(|| self.extent())
    }

    /// The selected feature's box.
    pub fn selection_extent(&self) -> Option<GeoRect<f64>> {
        let s = self.selection?;
        self.get(s.layer)?.prepared.bboxes.get(s.feature).copied()?
    }

    /// The topmost visible feature at `at` within `tolerance_m` metres.
    pub fn pick(&self, at: Coord<f64>, tolerance_m: f64) -> Option<Selection> {
        self.layers
            .iter()
            .rev()
            .filter(|l| l.visible && l.opacity > 0.0)
            .find_map(|l| {
                super::pick::pick(
                    &l.prepared,
                    &l.layer,
                    at,
                    tolerance_m,
                    l.base_style.fill.a() > 0,
                )
                .map(|(feature, _)| Selection {
                    layer: l.id,
                    feature,
                })
            })
    }

    /// Total features in all layers.
    pub fn feature_count(&self) -> usize {
        self.layers.iter().map(|l| l.layer.features.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::synth;

    fn with_role(mut l: Layer, role: Role) -> PreparedLayer {
        l.role = Some(role);
        PreparedLayer::new(l)
    }

    #[test]
    fn the_legend_is_counted_once_and_follows_a_role_change() {
        let mut d = Document::default();
        let id = d.add(with_role(synth::points(50, 3), Role::Boundary));
        let tax = d.taxonomy.clone();
        let Some(ml) = d.layers.iter_mut().find(|l| l.id == id) else {
            panic!("layer added");
        };
        let rows = ml.legend(&tax).to_vec();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].group, None);
        assert_eq!(rows[0].count, 50);
        // The same rows come back without a recount (same allocation).
        assert!(std::ptr::eq(ml.legend(&tax), ml.legend(&tax)));
        ml.set_role(Some(Role::Facilities), &tax);
        let rows = ml.legend(&tax);
        assert!(
            rows.iter().all(|r| r.group.is_some()),
            "facility groups now"
        );
        assert_eq!(rows.iter().map(|r| r.count).sum::<usize>(), 50);
    }

    /// A keyed overlay replacing one of the same kind and name takes over the drawings of the
    /// chunks whose keys it shares, and only those; a hidden kind stays hidden.
    #[test]
    fn a_replacing_overlay_keeps_the_drawings_of_unchanged_chunks() {
        use super::super::cache::ChunkDrawing;
        use crate::app::map::style::role_style;
        let keyed = |keys: &[u64]| {
            let layer = synth::buildings(keys.len() * 3, 5);
            ReadyOverlay::from(OverlayLayer {
                kept: Vec::new(),
                chunks: Some(KeyedChunks {
                    origin: [0.0, 0.0],
                    chunks: keys
                        .iter()
                        .enumerate()
                        .map(|(i, k)| (*k, (3 * i as u32..3 * i as u32 + 3).collect()))
                        .collect(),
                    bboxes: Vec::new(),
                }),
                kind: OverlayKind::Gaps,
                layer,
                style: role_style(None, GeometryKind::Polygon),
                labels: Vec::new(),
            })
        };
        let mut d = Document::default();
        let first = d.add_overlay(keyed(&[10, 20, 30]));
        let Some(l) = d.get_mut(first) else {
            panic!("added")
        };
        assert_eq!(l.prepared.keys, vec![10, 20, 30]);
        for k in 0..3 {
            let mesh = egui::Mesh {
                indices: vec![k as u32],
                ..Default::default()
            };
            l.meshes
                .insert(4, 1.0, 3, k, ChunkDrawing::Mesh(Arc::new(mesh)));
        }
        d.set_overlay_visible(OverlayKind::Gaps, false);
        d.replace_overlays(&[OverlayKind::Gaps], vec![keyed(&[30, 40, 10])]);
        assert_eq!(d.layers.len(), 1, "the old overlay went");
        let l = &d.layers[0];
        assert!(!l.visible, "hidden as the one it replaced");
        let kept = |k: usize| match l.meshes.get(4, 1.0, k) {
            Some(ChunkDrawing::Mesh(m)) => Some(m.indices.clone()),
            _ => None,
        };
        assert_eq!(kept(0), Some(vec![2]), "key 30 was chunk 2");
        assert_eq!(kept(1), None, "key 40 is new");
        assert_eq!(kept(2), Some(vec![0]), "key 10 was chunk 0");
        // Another kind is left alone.
        d.replace_overlays(&[OverlayKind::Isochrone], Vec::new());
        assert_eq!(d.layers.len(), 1);
    }

    #[test]
    fn layers_go_to_their_role_place_and_move_and_go() {
        let mut d = Document::default();
        let b = d.add(with_role(synth::buildings(10, 1), Role::Buildings));
        let f = d.add(with_role(synth::points(10, 1), Role::Facilities));
        let w = d.add(with_role(synth::buildings(3, 2), Role::Water));
        let order: Vec<LayerId> = d.layers.iter().map(|l| l.id).collect();
        assert_eq!(
            order,
            vec![w, b, f],
            "water under buildings under facilities"
        );
        d.raise(w);
        assert_eq!(d.position(w), Some(1));
        d.lower(w);
        d.lower(w);
        assert_eq!(d.position(w), Some(0));
        d.selection = Some(Selection {
            layer: b,
            feature: 3,
        });
        assert!(d.selection_extent().is_some());
        d.remove(b);
        assert_eq!(d.selection, None);
        assert_eq!(d.layers.len(), 2);
    }

    #[test]
    fn picking_prefers_the_top_visible_layer() {
        let mut d = Document::default();
        let under = d.add(with_role(synth::buildings(50, 4), Role::Buildings));
        let over = d.add(with_role(synth::buildings(50, 4), Role::BuiltUpArea));
        // BuiltUpArea ranks below Buildings, so `under` is on top.
        let at = d.get(under).expect("layer").prepared.bboxes[0]
            .expect("bbox")
            .center();
        assert_eq!(d.pick(at, 1.0).map(|s| s.layer), Some(under));
        if let Some(l) = d.get_mut(under) {
            l.visible = false;
        }
        assert_eq!(d.pick(at, 1.0).map(|s| s.layer), Some(over));
    }

    #[test]
    fn setting_the_facilities_role_classifies_and_restyles() {
        let mut d = Document::default();
        let id = d.add(PreparedLayer::new(synth::points(20, 9)));
        let tax = Taxonomy::default();
        let l = d.get_mut(id).expect("layer");
        l.set_role(Some(Role::Facilities), &tax);
        assert!(l.layer.classification.is_some());
        assert_eq!(
            l.base_style,
            role_style(Some(Role::Facilities), GeometryKind::Point)
        );
    }
}

/// The kinds of analysis overlay, each toggled as one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OverlayKind {
    Isochrone,
    TimeGrid,
    Gaps,
    UncoveredBuildings,
    /// A scenario's added, moved and removed facilities.
    Scenario,
    /// Where a scenario gains or loses coverage against the base.
    Difference,
    /// Suggested sites, numbered.
    Suggested,
    /// Capacity accessibility (2SFCA): buildings by index, facilities with a capacity.
    Accessibility,
}

impl OverlayKind {
    pub const ALL: [OverlayKind; 8] = [
        OverlayKind::Isochrone,
        OverlayKind::TimeGrid,
        OverlayKind::Gaps,
        OverlayKind::UncoveredBuildings,
        OverlayKind::Scenario,
        OverlayKind::Difference,
        OverlayKind::Suggested,
        OverlayKind::Accessibility,
    ];

    /// Whether a first run shows it (the grid hides the isochrones under it, the 2SFCA recolours
    /// every building: off until asked).
    pub fn shown_at_first(self) -> bool {
        !matches!(self, OverlayKind::TimeGrid | OverlayKind::Accessibility)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        lang.t(match self {
            OverlayKind::Isochrone => tx::OV_ISOCHRONES,
            OverlayKind::TimeGrid => tx::OV_GRID,
            OverlayKind::Gaps => tx::OV_GAPS,
            OverlayKind::UncoveredBuildings => tx::OV_UNCOVERED,
            OverlayKind::Scenario => tx::OV_SCENARIO,
            OverlayKind::Difference => tx::OV_DIFFERENCE,
            OverlayKind::Suggested => tx::OV_SUGGESTED,
            OverlayKind::Accessibility => tx::OV_ACCESSIBILITY,
        })
    }
}

/// An overlay layer, ready to join the document.
#[derive(Clone)]
pub struct OverlayLayer {
    /// Its chunks as its maker cut them, each keyed by what it draws (None: cut as any layer).
    /// A keyed overlay that replaces one of the same name keeps the drawings of the chunks whose
    /// keys did not change: after a scenario edit the map rebuilds only what the edit changed.
    pub chunks: Option<KeyedChunks>,
    /// Chunks not made again because the map shows them already ([`ShownChunks`]): their
    /// features are taken over from the overlay this one replaces
    /// ([`Document::replace_overlays`]), without copying 45,000 buildings after every edit.
    pub kept: Vec<u64>,
    pub kind: OverlayKind,
    pub layer: Layer,
    pub style: FeatureStyle,
    /// People counts drawn on the map at points (working CRS): a gap's population.
    pub labels: Vec<([f64; 2], MapLabel)>,
}

/// Chunks of a layer chosen by its maker: features (indices) per chunk with a key telling apart
/// what the chunk draws (equal keys, equal drawings), and the origin of their meshes (fixed for
/// the layers that may replace each other, so that a drawing can move from one to the next).
#[derive(Debug, Clone, PartialEq)]
pub struct KeyedChunks {
    pub origin: [f64; 2],
    pub chunks: Vec<(u64, Vec<u32>)>,
    /// Each feature's bounding box where its maker knows it (isochrone pieces and gap areas
    /// keep theirs from when they were traced); empty: found from the geometry.
    pub bboxes: Vec<Option<GeoRect<f64>>>,
}

/// An overlay whose geometry is prepared for drawing (chunks, feature boxes): made in the job that
/// computed it, so that putting a town's overlays on the map (a quarter of a second for the
/// 100,000-node benchmark town) does not stall a frame.
pub struct ReadyOverlay {
    pub kind: OverlayKind,
    pub layer: PreparedLayer,
    pub style: FeatureStyle,
    pub labels: Vec<([f64; 2], MapLabel)>,
    /// See [`OverlayLayer::kept`].
    pub kept: Vec<u64>,
}

impl From<OverlayLayer> for ReadyOverlay {
    fn from(o: OverlayLayer) -> ReadyOverlay {
        let layer = match o.chunks {
            Some(k) => PreparedLayer::keyed(o.layer, k),
            None => PreparedLayer::new(o.layer),
        };
        ReadyOverlay {
            kind: o.kind,
            layer,
            style: o.style,
            labels: o.labels,
            kept: o.kept,
        }
    }
}

impl ReadyOverlay {
    /// Take the features of the kept chunks from `prev`, the overlay this one replaces (moved
    /// when nothing else holds its layer, else copied), appended as chunks of their own with
    /// their boxes. False, and nothing taken, when `prev` lacks one of them.
    fn take_kept(&mut self, prev: &mut MapLayer) -> bool {
        let at: std::collections::HashMap<u64, usize> = prev
            .prepared
            .keys
            .iter()
            .enumerate()
            .map(|(i, k)| (*k, i))
            .collect();
        if self.kept.iter().any(|k| !at.contains_key(k)) {
            return false;
        }
        let PreparedLayer { layer, prepared } = &mut self.layer;
        let kept = std::mem::take(&mut self.kept);
        let n: usize = (kept.iter())
            .map(|k| prev.prepared.chunks[at[k]].features.len())
            .sum();
        layer.features.reserve(n);
        prepared.bboxes.reserve(n);
        // Moved when the map alone holds the old layer (as always after an edit), else copied.
        let shared = Arc::get_mut(&mut prev.layer)
            .is_none()
            .then(|| Arc::clone(&prev.layer));
        let mut owned = Arc::get_mut(&mut prev.layer);
        for key in kept {
            let old = &prev.prepared.chunks[at[&key]];
            let mut features = Vec::with_capacity(old.features.len());
            for &fi in &old.features {
                let fi = fi as usize;
                let taken = owned
                    .as_deref_mut()
                    .map(|l| take_feature(&mut l.features[fi]));
                let Some(mut feature) =
                    taken.or_else(|| Some(shared.as_ref()?.features[fi].clone()))
                else {
                    continue;
                };
                // Numbered as its maker numbers an overlay's features: by place.
                feature.source_id =
                    crate::model::layer::SourceId::Feature(layer.features.len() as u64);
                features.push(layer.features.len() as u32);
                layer.features.push(feature);
                prepared
                    .bboxes
                    .push(prev.prepared.bboxes.get(fi).copied().flatten());
            }
            prepared.extent = Some(match prepared.extent {
                Some(e) => union(e, old.bbox),
                None => old.bbox,
            });
            prepared.chunks.push(super::cache::Chunk {
                bbox: old.bbox,
                features,
            });
            prepared.keys.push(key);
        }
        true
    }
}

/// A feature moved out of its layer, leaving an empty point (the layer is dropped next).
fn take_feature(f: &mut crate::model::layer::Feature) -> crate::model::layer::Feature {
    let empty = geo_types::Geometry::Point(geo_types::Point::new(0.0, 0.0));
    crate::model::layer::Feature {
        geometry: std::mem::replace(&mut f.geometry, empty),
        attrs: std::mem::take(&mut f.attrs),
        source_id: f.source_id,
        category: f.category,
    }
}

/// The chunk keys of the overlays the map shows, by kind and layer name: a job making their
/// successors leaves these chunks out ([`OverlayLayer::kept`]).
#[derive(Debug, Clone, Default)]
pub struct ShownChunks(
    std::collections::HashMap<(OverlayKind, String), std::collections::HashSet<u64>>,
);

impl ShownChunks {
    /// Whether the overlay of `kind` named `name` shows a chunk keyed `key`.
    pub fn shows(&self, kind: OverlayKind, name: &str, key: u64) -> bool {
        self.0
            .get(&(kind, name.to_string()))
            .is_some_and(|keys| keys.contains(&key))
    }

    /// The keys shown by the overlay of `kind` named `name`.
    pub fn of(&self, kind: OverlayKind, name: &str) -> Option<&std::collections::HashSet<u64>> {
        self.0.get(&(kind, name.to_string()))
    }
}

/// Prepare overlays for drawing, in parallel (call it off the UI thread).
pub fn prepare_overlays(overlays: Vec<OverlayLayer>) -> Vec<ReadyOverlay> {
    use rayon::prelude::*;
    overlays.into_par_iter().map(ReadyOverlay::from).collect()
}
