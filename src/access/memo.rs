//! Shapes traced once and kept, keyed by a hash of what they were traced from: the pieces of an
//! isochrone (one per square of its field) and the outlines of gap areas. A scenario edit changes
//! the reachable streets near the edited facility only, so redrawing after it traces the squares
//! whose streets changed and takes every other piece from here.
//!
//! Shared by an analysis and every scenario made from it (it is an `Arc`), bounded by vertices
//! held: beyond [`MAX_VERTICES`], the least recently used half is dropped.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex};

use geo::{BoundingRect, CoordsIter};
use geo_types::{MultiPolygon, Rect};

/// Vertices the memo holds at most (16 bytes each: 64 MB).
pub const MAX_VERTICES: usize = 4_000_000;

/// A traced outline with its bounding box, found once when traced: the map culls and picks by
/// it, and a town-wide isochrone has hundreds of thousands of vertices to go over.
#[derive(Debug, Clone, PartialEq)]
pub struct Outline {
    pub polygon: MultiPolygon<f64>,
    pub bbox: Rect<f64>,
}

impl Outline {
    /// The outline of `polygon`; None when it has no coordinates.
    pub fn new(polygon: MultiPolygon<f64>) -> Option<Outline> {
        let bbox = polygon.bounding_rect()?;
        Some(Outline { polygon, bbox })
    }
}

/// A traced shape, or that the key traced to nothing.
pub type Shape = Option<Arc<Outline>>;

#[derive(Debug)]
struct Entries {
    /// Shape, last used, made (clock stamps).
    map: HashMap<u64, (Shape, u64, u64), KeyIsHash>,
    vertices: usize,
    bound: usize,
    clock: u64,
    /// Whole sets of pieces (an isochrone's), by the key of what they were traced from, with
    /// when last used: the [`MAX_SETS`] most recent.
    sets: HashMap<u64, (Arc<Pieces>, u64), KeyIsHash>,
}

/// Keyed shapes: the pieces of one isochrone.
pub type Pieces = Vec<(u64, Arc<Outline>)>;

/// Sets of pieces kept (an isochrone's set is kept twice: under what its pieces are made of, and
/// under its pieces).
pub const MAX_SETS: usize = 16;

/// See the module.
#[derive(Debug, Clone)]
pub struct ShapeMemo(Arc<Mutex<Entries>>);

impl Default for ShapeMemo {
    fn default() -> Self {
        ShapeMemo::with_bound(MAX_VERTICES)
    }
}

impl ShapeMemo {
    /// A memo holding at most `vertices` vertices.
    pub fn with_bound(vertices: usize) -> Self {
        ShapeMemo(Arc::new(Mutex::new(Entries {
            map: HashMap::default(),
            vertices: 0,
            bound: vertices,
            clock: 0,
            sets: HashMap::default(),
        })))
    }

    /// The shape kept for `key`, or `make`'s (then kept).
    pub fn get_or(&self, key: u64, make: impl FnOnce() -> Shape) -> Shape {
        if let Some(Some(s)) = self.get_many(&[key]).pop() {
            return s;
        }
        let shape = make();
        self.put_many(vec![(key, shape.clone())]);
        shape
    }

    /// The shapes kept for `keys` (`None`: not held), under one lock.
    pub fn get_many(&self, keys: &[u64]) -> Vec<Option<Shape>> {
        let Ok(mut g) = self.0.lock() else {
            return vec![None; keys.len()];
        };
        g.clock += 1;
        let now = g.clock;
        keys.iter()
            .map(|k| {
                let (s, used, _) = g.map.get_mut(k)?;
                *used = now;
                Some(s.clone())
            })
            .collect()
    }

    /// Keep shapes made for their keys, under one lock.
    pub fn put_many(&self, shapes: Vec<(u64, Shape)>) {
        if let Ok(mut g) = self.0.lock() {
            let now = g.clock;
            for (key, shape) in shapes {
                let n = shape.as_ref().map_or(0, |p| p.polygon.coords_count());
                if g.map.insert(key, (shape, now, now)).is_none() {
                    g.vertices += n;
                }
            }
            if g.vertices > g.bound {
                g.evict_older_half();
            }
        }
    }

    /// The set of pieces kept for `key`, or `make`'s (then kept): when nothing an isochrone was
    /// traced from changed (a 30-minute tier reaching the whole town before and after an
    /// edit), it is taken whole.
    pub fn set_or(&self, key: u64, make: impl FnOnce() -> Pieces) -> Arc<Pieces> {
        if let Ok(mut g) = self.0.lock() {
            g.clock += 1;
            let now = g.clock;
            if let Some((s, used)) = g.sets.get_mut(&key) {
                *used = now;
                return Arc::clone(s);
            }
        }
        let set = Arc::new(make());
        if let Ok(mut g) = self.0.lock() {
            let now = g.clock;
            g.sets.insert(key, (Arc::clone(&set), now));
            if g.sets.len() > MAX_SETS
                && let Some(oldest) = g.sets.iter().min_by_key(|(_, (_, t))| *t).map(|(k, _)| *k)
            {
                g.sets.remove(&oldest);
            }
        }
        set
    }

    /// A stamp of now, for [`ShapeMemo::forget_since`].
    pub fn now(&self) -> u64 {
        self.0.lock().map_or(0, |g| g.clock)
    }

    /// Forget the shapes made after `stamp` (benchmarks: every edit traced afresh).
    pub fn forget_since(&self, stamp: u64) {
        if let Ok(mut g) = self.0.lock() {
            g.map.retain(|_, (_, _, made)| *made <= stamp);
            g.sets.retain(|_, (_, used)| *used <= stamp);
            g.recount();
        }
    }

    /// Sets of pieces held (for tests).
    pub fn sets_len(&self) -> usize {
        self.0.lock().map_or(0, |g| g.sets.len())
    }

    /// Shapes held (for tests).
    pub fn len(&self) -> usize {
        self.0.lock().map_or(0, |g| g.map.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Entries {
    fn evict_older_half(&mut self) {
        let mut stamps: Vec<u64> = self.map.values().map(|(_, t, _)| *t).collect();
        stamps.sort_unstable();
        let cut = stamps[stamps.len() / 2];
        self.map.retain(|_, (_, t, _)| *t >= cut);
        self.recount();
    }

    fn recount(&mut self) {
        self.vertices = self
            .map
            .values()
            .map(|(s, _, _)| s.as_ref().map_or(0, |p| p.polygon.coords_count()))
            .sum();
    }
}

/// The memo's keys are [`KeyHasher`] hashes already: the map takes them as they are instead of
/// hashing them again (looking up a town's 17,000 gap outlines after an edit took 3 ms with
/// the standard hasher).
type KeyIsHash = BuildHasherDefault<PassKey>;

/// See [`KeyIsHash`].
#[derive(Default)]
struct PassKey(u64);

impl Hasher for PassKey {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, w: u64) {
        // One multiply spreads the key's bits into the top ones the map's tags are made of.
        self.0 = w.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// A hasher for memo keys (FNV-1a over 64-bit words: stable, fast on the coordinates' bits).
pub struct KeyHasher(pub u64);

impl Default for KeyHasher {
    fn default() -> Self {
        KeyHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl KeyHasher {
    pub fn word(&mut self, w: u64) {
        self.0 = (self.0 ^ w).wrapping_mul(0x0000_0100_0000_01b3);
        self.0 ^= self.0 >> 29;
    }

    pub fn f64(&mut self, v: f64) {
        self.word(v.to_bits());
    }
}

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.word(u64::from(*b));
        }
    }

    fn write_u64(&mut self, w: u64) {
        self.word(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::coord;

    fn square(side: f64) -> Shape {
        Outline::new(MultiPolygon(vec![
            Rect::new(coord! {x: 0.0, y: 0.0}, coord! {x: side, y: side}).to_polygon(),
        ]))
        .map(Arc::new)
    }

    #[test]
    fn made_once_then_kept() {
        let m = ShapeMemo::default();
        let mut made = 0;
        for _ in 0..3 {
            let s = m.get_or(7, || {
                made += 1;
                square(2.0)
            });
            assert_eq!(s, square(2.0));
        }
        assert_eq!(made, 1);
        assert_eq!(m.get_or(8, || None), None);
        assert_eq!(m.len(), 2);
        let stamp = m.now();
        m.get_or(9, || square(3.0));
        m.get_or(7, || unreachable!("kept"));
        m.forget_since(stamp);
        assert_eq!(m.len(), 2, "9 was made after the stamp");
        m.get_or(7, || unreachable!("made before the stamp"));
    }

    #[test]
    fn bounded_by_vertices_dropping_the_least_recently_used() {
        let m = ShapeMemo::with_bound(500);
        // 5 coordinates each (closed ring): 100 shapes fit.
        let fit = 100;
        for k in 0..fit {
            m.get_or(k, || square(1.0));
        }
        assert_eq!(m.len() as u64, fit);
        m.get_or(0, || unreachable!("kept")); // used again: among the newest
        m.get_or(fit, || square(1.0)); // over the bound: the older half goes
        assert!(m.len() as u64 <= fit / 2 + 2, "{}", m.len());
        let mut remade = false;
        m.get_or(0, || {
            remade = true;
            square(1.0)
        });
        assert!(!remade, "the recently used one is kept");
        m.get_or(1, || {
            remade = true;
            square(1.0)
        });
        assert!(remade, "an old one was dropped");
    }

    #[test]
    fn sets_kept_then_the_oldest_dropped() {
        let m = ShapeMemo::default();
        let one = |k: u64| vec![(k, square(1.0).unwrap())];
        let first = m.set_or(1, || one(1));
        assert!(Arc::ptr_eq(&first, &m.set_or(1, || unreachable!("kept"))));
        for k in 2..=MAX_SETS as u64 + 1 {
            m.set_or(k, || one(k));
        }
        let mut remade = false;
        m.set_or(1, || {
            remade = true;
            one(1)
        });
        assert!(remade, "the least recently used set was dropped");
    }

    #[test]
    fn key_hasher_tells_coordinates_apart() {
        let h = |v: &[f64]| {
            let mut k = KeyHasher::default();
            v.iter().for_each(|x| k.f64(*x));
            k.finish()
        };
        assert_eq!(h(&[1.0, 2.0]), h(&[1.0, 2.0]));
        assert_ne!(h(&[1.0, 2.0]), h(&[2.0, 1.0]));
        assert_ne!(h(&[1.0, 2.0]), h(&[1.0, 2.0 + 1e-9]));
    }
}
