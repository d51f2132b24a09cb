//! Territory queries on a [`Network`], through its cached finder.

use serde_json::Value;

use super::{ChapterFinder, CoverageReport, Filter, TerritoryError, public};
use crate::network::{Network, Node};

impl Network {
    /// The territory index of this version of the network, built on first
    /// use and kept until the next change.
    pub fn finder(&self) -> &ChapterFinder {
        self.finder
            .get_or_init(|| ChapterFinder::from_network(self))
    }

    /// The chapters whose territory covers the point, most specific first
    /// (smallest area, then deepest, then id). Boundary points are covered.
    ///
    /// ```
    /// # use chapterhouse::{Network, Op, Actor};
    /// # use chapterhouse::territory::Filter;
    /// # let now = "2026-01-01T00:00:00Z".parse().unwrap();
    /// # let mut net = Network::new("org".parse()?, "Org", "org".parse()?, now)?;
    /// let op: Op = serde_json::from_value(serde_json::json!({
    ///     "op": "apply_chapter", "id": "paris", "parent": "org", "name": "Paris",
    ///     "slug": "paris", "group_kind": "local",
    ///     "territory": {"type": "Point", "coordinates": [2.35, 48.86], "radius_m": 8000}
    /// }))?;
    /// net.apply(op, &Actor::Host, now)?;
    /// net.apply(serde_json::from_value(serde_json::json!({"op": "approve", "id": "paris"}))?, &Actor::Host, now)?;
    /// let here = net.lookup(2.34, 48.85, &Filter::default())?;
    /// assert_eq!(here[0].id.as_str(), "paris");
    /// let near = net.nearest(2.35, 49.0, 1, &Filter::default())?;
    /// assert!((near[0].1 - 7_600.0).abs() < 200.0); // 15.6 km from the centre, 8 km radius
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn lookup(
        &self,
        lon: f64,
        lat: f64,
        filter: &Filter,
    ) -> Result<Vec<&Node>, TerritoryError> {
        let f = self.finder();
        Ok(f.lookup(lon, lat, filter)?
            .into_iter()
            .filter_map(|e| e.node.and_then(|ix| self.at(ix)))
            .collect())
    }

    /// The `k` nearest chapters with the geodesic distance in metres to
    /// each territory (0 when inside), nearest first.
    pub fn nearest(
        &self,
        lon: f64,
        lat: f64,
        k: usize,
        filter: &Filter,
    ) -> Result<Vec<(&Node, f64)>, TerritoryError> {
        let f = self.finder();
        Ok(f.nearest(lon, lat, k, filter)?
            .into_iter()
            .filter_map(|n| {
                n.chapter
                    .node
                    .and_then(|ix| self.at(ix))
                    .map(|node| (node, n.distance_m))
            })
            .collect())
    }

    /// The most specific chapter covering each `[lon, lat]` point (`None`
    /// when none does or the point is invalid). Parallel on native targets.
    pub fn assign(&self, points: &[[f64; 2]], filter: &Filter) -> Vec<Option<&Node>> {
        let f = self.finder();
        f.assign(points, filter)
            .into_iter()
            .map(|ix| {
                ix.and_then(|i| f.entry(i))
                    .and_then(|e| e.node)
                    .and_then(|n| self.at(n))
            })
            .collect()
    }

    /// Overlapping territories among the chapters passing `filter`, and the
    /// reference areas (e.g. counties, from [`ChapterFinder::from_geojson`])
    /// that none of them covers.
    pub fn coverage(&self, reference: &ChapterFinder, filter: &Filter) -> CoverageReport {
        self.finder().coverage(reference, filter)
    }

    /// The public view: see [`public_view`](crate::territory::public_view).
    pub fn public_view(&self) -> Value {
        public::public_view(self)
    }
}
