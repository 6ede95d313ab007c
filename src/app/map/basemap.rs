//! Optional online basemap: Web-Mercator tiles (OpenStreetMap, Tianditu 天地图 or any `{z}/{x}/{y}`
//! URL template) drawn under the layers, warped into the working CRS.
//!
//! Off by default; with it off nothing is fetched and nothing changes. Tiles are fetched on one
//! background thread (ureq, only with the cargo feature `basemap`), cached on disk under the
//! user's cache directory, decoded there and sent back over a channel; the frame drains it with
//! `try_recv` and never waits. Each tile is drawn as a small textured grid whose nodes are
//! projected from lon/lat into the working CRS once, when the tile arrives: a frame only applies
//! the view.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};

use egui::{Color32, Mesh, Pos2, Rect, Shape, pos2};
use geo_types::Coord;
use serde::{Deserialize, Serialize};

use super::view::MapView;
use crate::crs::{Crs, Transformer};

/// The OpenStreetMap standard tile server (its usage policy asks for a real User-Agent and
/// modest use: fine for viewing one town).
pub const OSM_TEMPLATE: &str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
pub const OSM_ATTRIBUTION: &str = "© OpenStreetMap contributors";
/// Tianditu 天地图 vector tiles in Web Mercator (CGCS2000 ≈ WGS 84, no offset); `{key}` is the
/// user's key (tk) from https://console.tianditu.gov.cn.
pub const TIANDITU_TEMPLATE: &str = "https://t0.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}";
pub const TIANDITU_ATTRIBUTION: &str = "© 天地图 Tianditu";

/// Grid nodes per tile side used to warp a Mercator tile into the working CRS.
const WARP_NODES: usize = 5;
/// Most tiles requested or drawn for one view.
const MAX_TILES: usize = 64;
/// Zoom levels served by the common tile servers.
const MAX_ZOOM: u8 = 18;

/// What the user chose (persist this with the app's settings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BasemapSettings {
    pub enabled: bool,
    /// A URL with `{z}`, `{x}`, `{y}` and optionally `{key}`.
    pub url_template: String,
    /// Replaces `{key}` (Tianditu's tk).
    pub key: String,
    /// Shown at the bottom right of the map while tiles are drawn.
    pub attribution: String,
    /// Tile opacity, 0..=1.
    pub opacity: f32,
}

impl Default for BasemapSettings {
    fn default() -> Self {
        BasemapSettings {
            enabled: false,
            url_template: OSM_TEMPLATE.to_string(),
            key: String::new(),
            attribution: OSM_ATTRIBUTION.to_string(),
            opacity: 0.8,
        }
    }
}

impl BasemapSettings {
    /// The URL of one tile.
    pub fn url(&self, t: TileId) -> String {
        self.url_template
            .replace("{z}", &t.z.to_string())
            .replace("{x}", &t.x.to_string())
            .replace("{y}", &t.y.to_string())
            .replace("{key}", &self.key)
    }
}

/// A Web-Mercator (XYZ, y down from the north) tile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileId {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

/// The tile coordinates (fractional: the integer part is the tile, the rest the position inside
/// it) of a lon/lat point at zoom `z`. Latitude is clamped to Web Mercator's ±85.0511°.
pub fn lonlat_to_tile(lon_deg: f64, lat_deg: f64, z: u8) -> (f64, f64) {
    let n = f64::from(1u32 << z);
    let lat = lat_deg.clamp(-85.051_128_78, 85.051_128_78).to_radians();
    let x = (lon_deg + 180.0) / 360.0 * n;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n;
    (x, y)
}

/// The lon/lat (degrees) of the tile coordinates `(x, y)` at zoom `z` (the tile's north-west
/// corner when both are whole numbers).
pub fn tile_to_lonlat(x: f64, y: f64, z: u8) -> (f64, f64) {
    let n = f64::from(1u32 << z);
    let lon = x / n * 360.0 - 180.0;
    let lat = (std::f64::consts::PI * (1.0 - 2.0 * y / n))
        .sinh()
        .atan()
        .to_degrees();
    (lon, lat)
}

/// The zoom whose tile pixels (256 per tile) are closest to `m_per_px` metres at `lat_deg`.
pub fn zoom_for(m_per_px: f64, lat_deg: f64) -> u8 {
    // Ground metres per pixel at zoom 0 on the equator: 2πR / 256.
    let z0 = 156_543.033_928 * lat_deg.to_radians().cos();
    (z0 / m_per_px.max(1e-3))
        .log2()
        .round()
        .clamp(0.0, f64::from(MAX_ZOOM)) as u8
}

/// The grid of `WARP_NODES`² points of tile `t` in the working CRS (row by row from the
/// north-west corner), projected with `lonlat_to_world`; None if a node fails to project.
pub fn tile_nodes_world(
    t: TileId,
    lonlat_to_world: &dyn Fn(f64, f64) -> Option<Coord<f64>>,
) -> Option<Vec<Coord<f64>>> {
    let step = 1.0 / (WARP_NODES - 1) as f64;
    let mut out = Vec::with_capacity(WARP_NODES * WARP_NODES);
    for j in 0..WARP_NODES {
        for i in 0..WARP_NODES {
            let (lon, lat) = tile_to_lonlat(
                f64::from(t.x) + i as f64 * step,
                f64::from(t.y) + j as f64 * step,
                t.z,
            );
            out.push(lonlat_to_world(lon, lat)?);
        }
    }
    Some(out)
}

/// Fetches one URL's bytes (an HTTP GET); replaced by a fake in tests.
pub type Fetch = Box<dyn Fn(&str) -> Result<Vec<u8>, String> + Send>;

/// The HTTP fetch (ureq), or an error when built without the `basemap` feature.
pub fn http_fetch() -> Fetch {
    #[cfg(feature = "basemap")]
    {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(std::time::Duration::from_secs(20)))
            .user_agent(concat!("towncircle/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Box::new(move |url: &str| {
            let mut resp = agent.get(url).call().map_err(|e| e.to_string())?;
            resp.body_mut()
                .with_config()
                .limit(8 << 20)
                .read_to_vec()
                .map_err(|e| e.to_string())
        })
    }
    #[cfg(not(feature = "basemap"))]
    {
        Box::new(|_: &str| {
            Err("built without the `basemap` feature (cargo build --features basemap)".to_string())
        })
    }
}

/// The user's cache directory for tiles of one URL template.
pub fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("LOCALAPPDATA").map(PathBuf::from))
        .or_else(|| {
            std::env::var_os("HOME").map(|h| {
                let h = PathBuf::from(h);
                if cfg!(target_os = "macos") {
                    h.join("Library/Caches")
                } else {
                    h.join(".cache")
                }
            })
        })?;
    Some(base.join("towncircle").join("tiles"))
}

/// A folder name for a URL template (without the key): tiles of different servers never mix.
fn template_dir(template: &str) -> String {
    // FNV-1a: stable across runs and platforms.
    let h = template.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{h:016x}")
}

struct Request {
    tile: TileId,
    url: String,
    cache_file: Option<PathBuf>,
}

type Reply = (TileId, Result<egui::ColorImage, String>);

/// Decode a tile, PNG or JPEG (Tianditu's imagery, `img_w`, is JPEG), told apart by their
/// first bytes, not by the URL or a header.
pub fn decode_tile(bytes: &[u8]) -> Result<egui::ColorImage, String> {
    match bytes {
        [0x89, b'P', b'N', b'G', ..] => decode_png(bytes),
        [0xFF, 0xD8, 0xFF, ..] => decode_jpeg(bytes),
        _ => {
            // A server's error page (HTML, XML, JSON) where a tile was expected: say so.
            let head = String::from_utf8_lossy(&bytes[..bytes.len().min(80)]);
            let head: String = head.chars().filter(|c| !c.is_control()).collect();
            Err(format!(
                "not a PNG or JPEG tile ({} bytes): {head}",
                bytes.len()
            ))
        }
    }
}

/// Decode a JPEG tile (baseline or progressive; grey, RGB or CMYK) into an image.
pub fn decode_jpeg(bytes: &[u8]) -> Result<egui::ColorImage, String> {
    use zune_jpeg::zune_core::{colorspace::ColorSpace, options::DecoderOptions};
    let options = DecoderOptions::default().jpeg_set_out_colorspace(ColorSpace::RGB);
    let mut dec = zune_jpeg::JpegDecoder::new_with_options(std::io::Cursor::new(bytes), options);
    let rgb = dec.decode().map_err(|e| format!("bad JPEG tile: {e:?}"))?;
    let info = dec
        .info()
        .ok_or_else(|| "bad JPEG tile: no size".to_string())?;
    let (w, h) = (usize::from(info.width), usize::from(info.height));
    if rgb.len() != w * h * 3 {
        return Err("JPEG tile size mismatch".to_string());
    }
    let pixels = rgb
        .chunks_exact(3)
        .map(|p| Color32::from_rgb(p[0], p[1], p[2]))
        .collect();
    Ok(egui::ColorImage::new([w, h], pixels))
}

/// Decode a PNG tile into an image.
pub fn decode_png(bytes: &[u8]) -> Result<egui::ColorImage, String> {
    let mut dec = png::Decoder::new(std::io::Cursor::new(bytes));
    dec.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = dec
        .read_info()
        .map_err(|e| format!("not a PNG tile: {e}"))?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| "PNG tile too large".to_string())?;
    let mut buf = vec![0; size];
    let info = reader
        .next_frame(&mut buf)
        .map_err(|e| format!("bad PNG tile: {e}"))?;
    let (w, h) = (info.width as usize, info.height as usize);
    let buf = &buf[..info.buffer_size()];
    let pixels: Vec<Color32> = match info.color_type {
        png::ColorType::Rgba => buf
            .chunks_exact(4)
            .map(|p| Color32::from_rgba_unmultiplied(p[0], p[1], p[2], p[3]))
            .collect(),
        png::ColorType::Rgb => buf
            .chunks_exact(3)
            .map(|p| Color32::from_rgb(p[0], p[1], p[2]))
            .collect(),
        png::ColorType::GrayscaleAlpha => buf
            .chunks_exact(2)
            .map(|p| Color32::from_rgba_unmultiplied(p[0], p[0], p[0], p[1]))
            .collect(),
        png::ColorType::Grayscale => buf.iter().map(|&g| Color32::from_gray(g)).collect(),
        png::ColorType::Indexed => return Err("unexpanded palette PNG".to_string()),
    };
    if pixels.len() != w * h {
        return Err("PNG tile size mismatch".to_string());
    }
    Ok(egui::ColorImage::new([w, h], pixels))
}

/// The worker: disk cache first, then the network; decodes and replies.
fn worker(requests: Receiver<Request>, replies: Sender<Reply>, fetch: Fetch, ctx: egui::Context) {
    for r in requests {
        let cached = r.cache_file.as_ref().and_then(|f| std::fs::read(f).ok());
        let bytes = match cached {
            Some(b) => Ok(b),
            None => fetch(&r.url).inspect(|b| {
                if let Some(f) = &r.cache_file {
                    if let Some(dir) = f.parent() {
                        let _ = std::fs::create_dir_all(dir);
                    }
                    let _ = crate::io::atomic::write_bytes(f, b);
                }
            }),
        };
        let image = bytes.and_then(|b| decode_tile(&b));
        if replies.send((r.tile, image)).is_err() {
            return;
        }
        ctx.request_repaint();
    }
}

enum TileState {
    Pending,
    Failed,
    Ready {
        texture: egui::TextureHandle,
        nodes_world: Vec<Coord<f64>>,
    },
}

/// The basemap's runtime state: settings, tiles, the worker's channels.
pub struct Basemap {
    pub settings: BasemapSettings,
    /// Tiles are cached here; None: no disk cache.
    pub cache_dir: Option<PathBuf>,
    tiles: HashMap<TileId, TileState>,
    /// The working CRS the tiles' nodes were projected into, and lon/lat -> working CRS.
    projection: Option<(Crs, Transformer)>,
    /// Working CRS -> lon/lat, for finding the tiles under the view.
    to_lonlat: Option<Transformer>,
    /// The settings the tiles were fetched with (a change drops them).
    tiles_for: Option<(String, String)>,
    worker: Option<(Sender<Request>, Receiver<Reply>)>,
    fetch: Option<Fetch>,
    /// Tiles requested so far (for tests and statistics).
    pub requested: usize,
    /// The last fetch error, shown beside the attribution.
    pub last_error: Option<String>,
}

impl std::fmt::Debug for Basemap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Basemap")
            .field("settings", &self.settings)
            .field("tiles", &self.tiles.len())
            .field("requested", &self.requested)
            .finish()
    }
}

impl Default for Basemap {
    fn default() -> Self {
        Basemap::new(
            BasemapSettings::default(),
            http_fetch(),
            default_cache_dir(),
        )
    }
}

impl Basemap {
    /// A basemap fetching with `fetch` and caching under `cache_dir`; the worker thread starts
    /// at the first tile wanted.
    pub fn new(settings: BasemapSettings, fetch: Fetch, cache_dir: Option<PathBuf>) -> Basemap {
        Basemap {
            settings,
            cache_dir,
            tiles: HashMap::new(),
            projection: None,
            to_lonlat: None,
            tiles_for: None,
            worker: None,
            fetch: Some(fetch),
            requested: 0,
            last_error: None,
        }
    }

    /// The tiles covering `visible` (a working-CRS box) at a zoom matching `m_per_px`: at most
    /// [`MAX_TILES`], none when the box cannot be projected.
    fn wanted(&self, visible: geo_types::Rect<f64>, m_per_px: f64) -> Vec<TileId> {
        let Some(inverse) = &self.to_lonlat else {
            return Vec::new();
        };
        let (min, max) = (visible.min(), visible.max());
        let mut lons = Vec::new();
        let mut lats = Vec::new();
        for (fx, fy) in [
            (0.0, 0.0),
            (0.5, 0.0),
            (1.0, 0.0),
            (0.0, 0.5),
            (1.0, 0.5),
            (0.0, 1.0),
            (0.5, 1.0),
            (1.0, 1.0),
        ] {
            let c = Coord {
                x: min.x + fx * (max.x - min.x),
                y: min.y + fy * (max.y - min.y),
            };
            if let Ok(ll) = inverse.coord(c) {
                lons.push(ll.x);
                lats.push(ll.y);
            }
        }
        if lons.len() < 8 {
            return Vec::new();
        }
        let fold = |v: &[f64], f: fn(f64, f64) -> f64, init: f64| v.iter().copied().fold(init, f);
        let (lon0, lon1) = (
            fold(&lons, f64::min, f64::MAX),
            fold(&lons, f64::max, f64::MIN),
        );
        let (lat0, lat1) = (
            fold(&lats, f64::min, f64::MAX),
            fold(&lats, f64::max, f64::MIN),
        );
        let mut z = zoom_for(m_per_px, 0.5 * (lat0 + lat1));
        loop {
            let (x0, y0) = lonlat_to_tile(lon0, lat1, z);
            let (x1, y1) = lonlat_to_tile(lon1, lat0, z);
            let n = (1u64 << z) as f64;
            let (x0, x1) = (x0.floor().max(0.0) as u32, x1.floor().min(n - 1.0) as u32);
            let (y0, y1) = (y0.floor().max(0.0) as u32, y1.floor().min(n - 1.0) as u32);
            let count = (x1.saturating_sub(x0) as usize + 1) * (y1.saturating_sub(y0) as usize + 1);
            if count <= MAX_TILES || z == 0 {
                return (y0..=y1)
                    .flat_map(|y| (x0..=x1).map(move |x| TileId { z, x, y }))
                    .take(MAX_TILES)
                    .collect();
            }
            z -= 1;
        }
    }

    /// Append the basemap's shapes for the view to `out` (nothing when off or without a working
    /// CRS): drains the worker's results, asks for missing tiles, draws the ready ones.
    pub fn shapes(
        &mut self,
        ctx: &egui::Context,
        working_crs: Option<&Crs>,
        view: &MapView,
        screen: Rect,
        out: &mut Vec<Shape>,
    ) {
        if !self.settings.enabled {
            return;
        }
        let Some(crs) = working_crs else { return };
        if self.projection.as_ref().map(|(c, _)| c) != Some(crs) {
            self.tiles.clear();
            self.projection = Transformer::new(&Crs::WGS84, crs)
                .ok()
                .map(|t| (crs.clone(), t));
            self.to_lonlat = Transformer::new(crs, &Crs::WGS84).ok();
        }
        let key = (
            self.settings.url_template.clone(),
            self.settings.key.clone(),
        );
        if self.tiles_for.as_ref() != Some(&key) {
            self.tiles.clear();
            self.tiles_for = Some(key);
        }
        self.drain(ctx);
        let m_per_px = view.m_per_pt / f64::from(ctx.pixels_per_point());
        let wanted = self.wanted(view.visible(screen), m_per_px);
        for t in &wanted {
            if !self.tiles.contains_key(t) {
                self.request(ctx, *t);
            }
        }
        let tint = Color32::WHITE.gamma_multiply(self.settings.opacity.clamp(0.0, 1.0));
        for t in &wanted {
            if let Some(TileState::Ready {
                texture,
                nodes_world,
            }) = self.tiles.get(t)
            {
                out.push(Shape::mesh(warped_mesh(
                    texture.id(),
                    nodes_world,
                    |c| view.to_screen(screen, c),
                    tint,
                )));
            }
        }
        // Forget tiles far from the view (their textures are freed).
        if self.tiles.len() > 4 * MAX_TILES {
            self.tiles
                .retain(|t, s| wanted.contains(t) || matches!(s, TileState::Pending));
        }
    }

    fn request(&mut self, ctx: &egui::Context, t: TileId) {
        if self.worker.is_none() {
            let Some(fetch) = self.fetch.take() else {
                return;
            };
            let (req_tx, req_rx) = channel::<Request>();
            let (rep_tx, rep_rx) = channel::<Reply>();
            let ctx2 = ctx.clone();
            let spawned = std::thread::Builder::new()
                .name("basemap tiles".into())
                .spawn(move || worker(req_rx, rep_tx, fetch, ctx2));
            if let Err(e) = spawned {
                self.last_error = Some(e.to_string());
                return;
            }
            self.worker = Some((req_tx, rep_rx));
        }
        let Some((tx, _)) = &self.worker else { return };
        let cache_file = self.cache_dir.as_ref().map(|d| {
            d.join(template_dir(&self.settings.url_template))
                .join(t.z.to_string())
                .join(t.x.to_string())
                .join(format!("{}.png", t.y))
        });
        let sent = tx.send(Request {
            tile: t,
            url: self.settings.url(t),
            cache_file,
        });
        self.tiles.insert(
            t,
            if sent.is_ok() {
                TileState::Pending
            } else {
                TileState::Failed
            },
        );
        self.requested += 1;
    }

    fn drain(&mut self, ctx: &egui::Context) {
        let Some((_, rx)) = &self.worker else { return };
        let Some((_, to_world)) = &self.projection else {
            return;
        };
        while let Ok((t, image)) = rx.try_recv() {
            let project = |lon: f64, lat: f64| to_world.coord(Coord { x: lon, y: lat }).ok();
            let state = match image {
                Ok(image) => match tile_nodes_world(t, &project) {
                    Some(nodes_world) => TileState::Ready {
                        texture: ctx.load_texture(
                            format!("basemap {}/{}/{}", t.z, t.x, t.y),
                            image,
                            egui::TextureOptions::LINEAR,
                        ),
                        nodes_world,
                    },
                    None => TileState::Failed,
                },
                Err(e) => {
                    self.last_error = Some(e);
                    TileState::Failed
                }
            };
            self.tiles.insert(t, state);
        }
    }

    /// Paint the attribution (and the last error) at the bottom left, above the scale bar's
    /// right end: only while the basemap is on.
    pub fn paint_attribution(&self, painter: &egui::Painter, screen: Rect) {
        if !self.settings.enabled {
            return;
        }
        let mut text = self.settings.attribution.clone();
        if let Some(e) = &self.last_error {
            text = format!("{text}  ({e})");
        }
        let galley = painter.layout_no_wrap(
            text,
            egui::FontId::proportional(11.0),
            Color32::from_gray(40),
        );
        let pos = pos2(
            screen.center().x - galley.size().x / 2.0,
            screen.bottom() - galley.size().y - 4.0,
        );
        painter.rect_filled(
            Rect::from_min_size(
                pos - egui::vec2(4.0, 2.0),
                galley.size() + egui::vec2(8.0, 4.0),
            ),
            2.0,
            Color32::from_white_alpha(200),
        );
        painter.galley(pos, galley, Color32::from_gray(40));
    }

    /// The basemap's settings: on/off, server preset, URL template, key, opacity.
    pub fn settings_ui(&mut self, ui: &mut egui::Ui, zh: bool) {
        let t = |zh_text: &'static str, en: &'static str| if zh { zh_text } else { en };
        ui.checkbox(&mut self.settings.enabled, t("在线底图", "Online basemap"));
        ui.horizontal(|ui| {
            if ui.button("OpenStreetMap").clicked() {
                self.settings.url_template = OSM_TEMPLATE.to_string();
                self.settings.attribution = OSM_ATTRIBUTION.to_string();
            }
            if ui.button(t("天地图", "Tianditu")).clicked() {
                self.settings.url_template = TIANDITU_TEMPLATE.to_string();
                self.settings.attribution = TIANDITU_ATTRIBUTION.to_string();
            }
        });
        ui.label(t(
            "瓦片地址模板 ({z} {x} {y} {key})",
            "Tile URL template ({z} {x} {y} {key})",
        ));
        ui.text_edit_singleline(&mut self.settings.url_template);
        ui.horizontal(|ui| {
            ui.label(t("密钥 (天地图 tk)", "Key (Tianditu tk)"));
            ui.text_edit_singleline(&mut self.settings.key);
        });
        ui.horizontal(|ui| {
            ui.label(t("署名", "Attribution"));
            ui.text_edit_singleline(&mut self.settings.attribution);
        });
        ui.add(
            egui::Slider::new(&mut self.settings.opacity, 0.0..=1.0).text(t("不透明度", "Opacity")),
        );
        if !cfg!(feature = "basemap") {
            ui.label(t(
                "此版本未含底图下载 (cargo build --features basemap)，仅显示磁盘缓存的瓦片。",
                "Built without tile downloads (cargo build --features basemap): only cached tiles show.",
            ));
        }
    }
}

/// A tile's textured grid on screen: `nodes_world` (WARP_NODES² points, row-major from the
/// north-west) moved by `to_screen`, texture coordinates spanning the tile.
pub fn warped_mesh(
    texture: egui::TextureId,
    nodes_world: &[Coord<f64>],
    to_screen: impl Fn(Coord<f64>) -> Pos2,
    tint: Color32,
) -> Mesh {
    let mut mesh = Mesh::with_texture(texture);
    let n = WARP_NODES;
    if nodes_world.len() != n * n {
        return mesh;
    }
    for (k, c) in nodes_world.iter().enumerate() {
        let (i, j) = (k % n, k / n);
        let uv = pos2(i as f32 / (n - 1) as f32, j as f32 / (n - 1) as f32);
        mesh.vertices.push(egui::epaint::Vertex {
            pos: to_screen(*c),
            uv,
            color: tint,
        });
    }
    for j in 0..n - 1 {
        for i in 0..n - 1 {
            let a = (j * n + i) as u32;
            let b = a + 1;
            let c = a + n as u32;
            let d = c + 1;
            mesh.add_triangle(a, b, d);
            mesh.add_triangle(a, d, c);
        }
    }
    mesh
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn tile_maths_round_trips_and_matches_known_tiles() {
        // Hangzhou West Lake at zoom 12 is tile (3415, 1686) (the slippy-map formula).
        let (x, y) = lonlat_to_tile(120.15, 30.25, 12);
        assert_eq!((x.floor() as u32, y.floor() as u32), (3415, 1686));
        let (lon, lat) = tile_to_lonlat(x, y, 12);
        assert!((lon - 120.15).abs() < 1e-9 && (lat - 30.25).abs() < 1e-9);
        // Zoom 0: one tile; its north-west corner is (-180, 85.0511).
        let (lon, lat) = tile_to_lonlat(0.0, 0.0, 0);
        assert!((lon + 180.0).abs() < 1e-12 && (lat - 85.051_128_78).abs() < 1e-6);
        assert_eq!(lonlat_to_tile(0.0, 0.0, 1), (1.0, 1.0));
        // 1 m per pixel near Hangzhou is zoom 17 (1.03 m/px there).
        assert_eq!(zoom_for(1.0, 30.0), 17);
        assert_eq!(zoom_for(1e9, 30.0), 0);
    }

    #[test]
    fn tile_corners_project_into_the_working_crs() {
        // CGCS2000 / 3-degree Gauss-Kruger CM 120E: x is 500 km on the central meridian.
        let crs = Crs::Epsg(4549);
        let to_world = Transformer::new(&Crs::WGS84, &crs).expect("transformer");
        let project = |lon: f64, lat: f64| to_world.coord(Coord { x: lon, y: lat }).ok();
        let t = TileId {
            z: 14,
            x: lonlat_to_tile(120.0, 30.0, 14).0 as u32,
            y: lonlat_to_tile(120.0, 30.0, 14).1 as u32,
        };
        let nodes = tile_nodes_world(t, &project).expect("nodes");
        assert_eq!(nodes.len(), WARP_NODES * WARP_NODES);
        let (nw, se) = (nodes[0], nodes[nodes.len() - 1]);
        // A zoom-14 tile is 2446 m of Mercator, about 2118 m on the ground at 30°N.
        let (w, h) = (se.x - nw.x, nw.y - se.y);
        assert!(
            (w - 2118.0).abs() < 15.0 && (h - 2118.0).abs() < 15.0,
            "{w} × {h}"
        );
        assert!(
            (nw.x - 500_000.0).abs() < 2200.0,
            "near the central meridian: {}",
            nw.x
        );
        // The middle node lies at the projected tile centre.
        let (clon, clat) = tile_to_lonlat(f64::from(t.x) + 0.5, f64::from(t.y) + 0.5, 14);
        let c = project(clon, clat).expect("centre");
        let mid = nodes[WARP_NODES * WARP_NODES / 2];
        assert!((mid.x - c.x).abs() < 1e-6 && (mid.y - c.y).abs() < 1e-6);
    }

    fn counting_basemap(enabled: bool) -> (Basemap, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let c2 = Arc::clone(&calls);
        let fetch: Fetch = Box::new(move |_url: &str| {
            c2.fetch_add(1, Ordering::SeqCst);
            Err("offline".to_string())
        });
        let settings = BasemapSettings {
            enabled,
            ..BasemapSettings::default()
        };
        (Basemap::new(settings, fetch, None), calls)
    }

    #[test]
    fn with_the_basemap_off_nothing_is_fetched_and_on_the_view_is_requested() {
        let ctx = egui::Context::default();
        let crs = Crs::Epsg(4549);
        let to_world = Transformer::new(&Crs::WGS84, &crs).expect("transformer");
        let centre = to_world.coord(Coord { x: 120.1, y: 30.2 }).expect("centre");
        let view = MapView {
            center: centre,
            m_per_pt: 5.0,
        };
        let screen = Rect::from_min_size(Pos2::ZERO, egui::vec2(1000.0, 800.0));

        let (mut off, calls) = counting_basemap(false);
        let mut out = Vec::new();
        for _ in 0..3 {
            off.shapes(&ctx, Some(&crs), &view, screen, &mut out);
        }
        assert!(out.is_empty());
        assert_eq!(off.requested, 0);
        assert!(off.worker.is_none(), "no thread started");
        assert_eq!(calls.load(Ordering::SeqCst), 0);

        let (mut on, calls) = counting_basemap(true);
        on.shapes(&ctx, Some(&crs), &view, screen, &mut out);
        assert!(
            on.requested >= 4 && on.requested <= MAX_TILES,
            "{}",
            on.requested
        );
        // The worker answers every request (with an error: offline) and nothing is drawn.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while calls.load(Ordering::SeqCst) < on.requested && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert_eq!(calls.load(Ordering::SeqCst), on.requested);
        std::thread::sleep(std::time::Duration::from_millis(50));
        on.shapes(&ctx, Some(&crs), &view, screen, &mut out);
        assert!(out.is_empty());
        assert_eq!(on.last_error.as_deref(), Some("offline"));
    }

    /// JPEG tiles (Tianditu's imagery is JPEG) decode as well as PNG ones, whatever the URL
    /// says: baseline, progressive and greyscale, written by Pillow (tests/fixtures/tiles:
    /// red = x, green = y, blue = 128 over 256 × 256). Not a PNG or JPEG: a message, no panic.
    #[test]
    fn jpeg_tiles_decode_as_well_as_png() {
        let fixtures: [(&str, &[u8]); 3] = [
            (
                "baseline",
                include_bytes!("../../../tests/fixtures/tiles/gradient-baseline.jpg"),
            ),
            (
                "progressive",
                include_bytes!("../../../tests/fixtures/tiles/gradient-progressive.jpg"),
            ),
            (
                "grey",
                include_bytes!("../../../tests/fixtures/tiles/gradient-grey.jpg"),
            ),
        ];
        for (name, bytes) in fixtures {
            let img = decode_tile(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(img.size, [256, 256], "{name}");
            for (x, y) in [(10usize, 20usize), (128, 64), (240, 250)] {
                let p = img.pixels[y * 256 + x];
                let close = |a: u8, b: usize| (i32::from(a) - b as i32).abs() <= 6;
                if name == "grey" {
                    // Pillow's L = (299 R + 587 G + 114 B) / 1000.
                    let l = (299 * x + 587 * y + 114 * 128) / 1000;
                    assert!(
                        close(p.r(), l) && p.r() == p.g() && p.g() == p.b(),
                        "{name} {p:?}"
                    );
                } else {
                    assert!(
                        close(p.r(), x) && close(p.g(), y) && close(p.b(), 128),
                        "{name} at ({x}, {y}): {p:?}"
                    );
                }
            }
        }
        let e = decode_tile(b"<html><body>403 Forbidden</body></html>").unwrap_err();
        assert!(e.contains("not a PNG or JPEG") && e.contains("403"), "{e}");
        assert!(
            decode_tile(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]).is_err(),
            "truncated JPEG"
        );
        assert!(decode_tile(&[]).is_err());
    }

    #[test]
    fn cached_tiles_are_read_from_disk_without_fetching() {
        let dir = tempfile::tempdir().expect("tempdir");
        // A 2×2 RGBA PNG.
        let mut bytes = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut bytes, 2, 2);
            enc.set_color(png::ColorType::Rgba);
            enc.set_depth(png::BitDepth::Eight);
            let mut w = enc.write_header().expect("header");
            w.write_image_data(&[255, 0, 0, 255].repeat(4))
                .expect("data");
        }
        let img = decode_png(&bytes).expect("decode");
        assert_eq!(img.size, [2, 2]);
        assert_eq!(img.pixels[3], Color32::RED);

        let (mut bm, calls) = counting_basemap(true);
        bm.cache_dir = Some(dir.path().to_path_buf());
        let ctx = egui::Context::default();
        let crs = Crs::Epsg(4549);
        let to_world = Transformer::new(&Crs::WGS84, &crs).expect("transformer");
        let centre = to_world.coord(Coord { x: 120.1, y: 30.2 }).expect("centre");
        let view = MapView {
            center: centre,
            m_per_pt: 5.0,
        };
        let screen = Rect::from_min_size(Pos2::ZERO, egui::vec2(1000.0, 800.0));
        bm.projection = Some((crs.clone(), to_world));
        bm.to_lonlat = Transformer::new(&crs, &Crs::WGS84).ok();
        bm.tiles_for = Some((bm.settings.url_template.clone(), bm.settings.key.clone()));
        for t in bm.wanted(view.visible(screen), view.m_per_pt) {
            let f = dir
                .path()
                .join(template_dir(&bm.settings.url_template))
                .join(t.z.to_string())
                .join(t.x.to_string())
                .join(format!("{}.png", t.y));
            std::fs::create_dir_all(f.parent().expect("parent")).expect("mkdir");
            std::fs::write(f, &bytes).expect("write");
        }
        let mut out = Vec::new();
        bm.shapes(&ctx, Some(&crs), &view, screen, &mut out);
        let n = bm.requested;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while out.len() < n && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
            out.clear();
            bm.shapes(&ctx, Some(&crs), &view, screen, &mut out);
        }
        assert_eq!(out.len(), n, "every tile drawn from the cache");
        assert_eq!(calls.load(Ordering::SeqCst), 0, "nothing fetched");
    }
}
