//! The province's map: the shape of every unit, from the geometry shipped with the province
//! (`geometry.geojson`) or — for a unit without one — a schematic hexagon, clearly marked;
//! the GeoJSON of the units valid on a date, and the projected SVG paths the overview map
//! draws. Geometry operations are the `geo` crate's.

use anyhow::{anyhow, bail, Context};
use app::model::map::{MapData, MapPoint, MapShape};
use app::model::{Area, AreaKind, Catalogue};
use geo::{Coord, LineString, MapCoords, MultiPolygon, Polygon, Simplify};
use std::collections::{BTreeMap, HashSet};
use time::Date;

/// Width of the map's SVG coordinate space; the height follows the province's shape.
const MAP_WIDTH: f64 = 1000.0;
/// Simplification of the drawn paths, in map units (a 1000-unit map on a 4K wall is about
/// 2 screen pixels per unit).
const MAP_SIMPLIFY: f64 = 0.6;

struct Shape {
    geometry: MultiPolygon,
    /// Built from parts of other units' shapes, or split by nearest reference point.
    approximate: bool,
    /// Not a boundary: a hexagon placed roughly where the unit is.
    schematic: bool,
}

pub struct Geography {
    shapes: BTreeMap<String, Shape>,
    /// Where the shipped geometry comes from, for the map's legend.
    pub source: String,
}

/// Equirectangular plane at the province's latitude: distances are near true across a
/// province, which is all a choropleth and a hexagon grid need.
struct Plane {
    k: f64,
}

impl Plane {
    fn new(lat: f64) -> Plane {
        Plane {
            k: lat.to_radians().cos(),
        }
    }
    fn to(&self, c: Coord) -> Coord {
        Coord {
            x: c.x * self.k,
            y: c.y,
        }
    }
    fn from(&self, c: Coord) -> Coord {
        Coord {
            x: c.x / self.k,
            y: c.y,
        }
    }
}

fn multipolygon(geometry: &geojson::Geometry) -> anyhow::Result<MultiPolygon> {
    let g: geo::Geometry = geometry.clone().try_into().map_err(|e| anyhow!("{e}"))?;
    match g {
        geo::Geometry::Polygon(p) => Ok(MultiPolygon(vec![p])),
        geo::Geometry::MultiPolygon(m) => Ok(m),
        other => bail!("expected a polygon, got {other:?}"),
    }
}

fn province_latitude(catalogue: &Catalogue) -> f64 {
    catalogue
        .area(&catalogue.province)
        .and_then(|a| a.point)
        .map_or(16.0, |p| p[1])
}

impl Geography {
    /// Reads the shipped geometry (if any) and gives every commune-level unit without a
    /// shape a schematic hexagon.
    pub fn load(geometry: Option<&str>, catalogue: &Catalogue) -> anyhow::Result<Geography> {
        let mut shapes = BTreeMap::new();
        let mut source = String::new();
        if let Some(text) = geometry {
            let collection: geojson::FeatureCollection =
                text.parse().context("geometry.geojson is not GeoJSON")?;
            source = collection
                .foreign_members
                .as_ref()
                .and_then(|m| m.get("source"))
                .and_then(|s| s.as_str())
                .unwrap_or_default()
                .to_string();
            for (i, feature) in collection.features.iter().enumerate() {
                let code = feature
                    .property("code")
                    .and_then(|c| c.as_str())
                    .with_context(|| format!("feature #{}: no code", i + 1))?;
                if catalogue.area(code).is_none() {
                    bail!(
                        "geometry.geojson: feature #{} names the unknown unit '{code}'",
                        i + 1
                    );
                }
                let geometry = feature
                    .geometry
                    .as_ref()
                    .with_context(|| format!("feature {code}: no geometry"))?;
                let flag = |name: &str| {
                    feature
                        .property(name)
                        .and_then(|v| v.as_bool())
                        .unwrap_or(false)
                };
                shapes.insert(
                    code.to_string(),
                    Shape {
                        geometry: multipolygon(geometry)
                            .with_context(|| format!("feature {code}"))?,
                        approximate: flag("approximate"),
                        schematic: flag("schematic"),
                    },
                );
            }
        }
        let mut geography = Geography { shapes, source };
        geography.add_schematic(catalogue);
        Ok(geography)
    }

    /// One equal-area hexagon for each commune-level unit without a shape, on a grid over
    /// the province, each in the free cell nearest its reference point (units without one
    /// fill the grid in order). Units of different periods get separate grids.
    fn add_schematic(&mut self, catalogue: &Catalogue) {
        let plane = Plane::new(province_latitude(catalogue));
        let missing: Vec<&Area> = catalogue
            .areas
            .iter()
            .filter(|a| a.is_commune_level() && !self.shapes.contains_key(&a.code))
            .collect();
        let mut groups: BTreeMap<(Option<Date>, Option<Date>), Vec<&Area>> = BTreeMap::new();
        for a in missing {
            groups
                .entry((a.valid_from, a.valid_to))
                .or_default()
                .push(a);
        }
        for units in groups.values() {
            let points: Vec<Coord> = units
                .iter()
                .filter_map(|a| a.point)
                .map(|[x, y]| plane.to(Coord { x, y }))
                .collect();
            let (min, max) = points.iter().fold(
                (
                    Coord {
                        x: f64::MAX,
                        y: f64::MAX,
                    },
                    Coord {
                        x: f64::MIN,
                        y: f64::MIN,
                    },
                ),
                |(lo, hi), c| {
                    (
                        Coord {
                            x: lo.x.min(c.x),
                            y: lo.y.min(c.y),
                        },
                        Coord {
                            x: hi.x.max(c.x),
                            y: hi.y.max(c.y),
                        },
                    )
                },
            );
            // cell size: the spread of the points shared out between the units
            let spread = if points.len() > 1 {
                ((max.x - min.x) * (max.y - min.y)).max(1e-6)
            } else {
                0.01
            };
            let size = (spread / units.len() as f64).sqrt().max(0.01) * 0.75;
            let origin = if points.is_empty() {
                Coord { x: 0.0, y: 0.0 }
            } else {
                min
            };
            let mut taken: HashSet<(i64, i64)> = HashSet::new();
            let columns = (units.len() as f64).sqrt().ceil() as i64;
            for (n, a) in units.iter().enumerate() {
                let wanted = match a.point {
                    Some([x, y]) => hex_cell(plane.to(Coord { x, y }), origin, size),
                    None => (n as i64 % columns, n as i64 / columns),
                };
                let cell = nearest_free(wanted, &taken);
                taken.insert(cell);
                let hexagon =
                    hexagon(hex_centre(cell, origin, size), size).map_coords(|c| plane.from(c));
                self.shapes.insert(
                    a.code.clone(),
                    Shape {
                        geometry: MultiPolygon(vec![hexagon]),
                        approximate: false,
                        schematic: true,
                    },
                );
            }
        }
    }

    /// Whether `code` has a shape (real or schematic).
    pub fn has_shape(&self, code: &str) -> bool {
        self.shapes.contains_key(code)
    }

    /// The GeoJSON of the units (districts and below) valid on `at`.
    pub fn geojson(&self, catalogue: &Catalogue, at: Date) -> geojson::FeatureCollection {
        let features = catalogue
            .areas_on(at)
            .filter(|a| a.kind != AreaKind::Province)
            .filter_map(|a| {
                let shape = self.shapes.get(&a.code)?;
                let mut p = serde_json::Map::new();
                p.insert("code".into(), a.code.clone().into());
                p.insert("official_code".into(), a.official_code().into());
                p.insert("name".into(), a.name_vi.clone().into());
                p.insert(
                    "kind".into(),
                    serde_json::to_value(a.kind).unwrap_or_default(),
                );
                p.insert("parent".into(), a.parent.clone().into());
                p.insert(
                    "valid_from".into(),
                    a.valid_from.map(|d| d.to_string()).into(),
                );
                p.insert("valid_to".into(), a.valid_to.map(|d| d.to_string()).into());
                p.insert("approximate".into(), shape.approximate.into());
                p.insert("schematic".into(), shape.schematic.into());
                Some(geojson::Feature {
                    bbox: None,
                    geometry: Some(geojson::Geometry::new(geojson::GeometryValue::from(
                        &shape.geometry,
                    ))),
                    id: None,
                    properties: Some(p),
                    foreign_members: None,
                })
            })
            .collect();
        let mut members = serde_json::Map::new();
        members.insert("at".into(), at.to_string().into());
        if !self.source.is_empty() {
            members.insert("source".into(), self.source.clone().into());
        }
        geojson::FeatureCollection {
            bbox: None,
            features,
            foreign_members: Some(members),
        }
    }

    /// The overview map: the commune-level units valid on `at`, projected and simplified
    /// into SVG paths.
    pub fn map(&self, catalogue: &Catalogue, at: Date) -> MapData {
        let plane = Plane::new(province_latitude(catalogue));
        let units: Vec<(&Area, &Shape)> = catalogue
            .areas_on(at)
            .filter(|a| a.is_commune_level())
            .filter_map(|a| Some((a, self.shapes.get(&a.code)?)))
            .collect();
        let projected: Vec<MultiPolygon> = units
            .iter()
            .map(|(_, s)| s.geometry.map_coords(|c| plane.to(c)))
            .collect();
        let (mut min, mut max) = (
            Coord {
                x: f64::MAX,
                y: f64::MAX,
            },
            Coord {
                x: f64::MIN,
                y: f64::MIN,
            },
        );
        for c in projected
            .iter()
            .flat_map(|m| m.0.iter().flat_map(|p| p.exterior().0.iter()))
        {
            min = Coord {
                x: min.x.min(c.x),
                y: min.y.min(c.y),
            };
            max = Coord {
                x: max.x.max(c.x),
                y: max.y.max(c.y),
            };
        }
        let scale = if max.x > min.x {
            MAP_WIDTH / (max.x - min.x)
        } else {
            1.0
        };
        let height = ((max.y - min.y) * scale).max(1.0).ceil();
        let shapes = units
            .iter()
            .zip(projected)
            .map(|((a, s), m)| {
                let screen = m
                    .map_coords(|c| Coord {
                        x: (c.x - min.x) * scale,
                        y: (max.y - c.y) * scale,
                    })
                    .simplify(MAP_SIMPLIFY);
                MapShape {
                    area: a.code.clone(),
                    name: a.name_vi.clone(),
                    path: svg_path(&screen),
                    approximate: s.approximate,
                    schematic: s.schematic,
                }
            })
            .collect();
        let points = catalogue
            .projects
            .iter()
            .filter_map(|p| {
                let [lon, lat] = p.point?;
                let c = plane.to(Coord { x: lon, y: lat });
                let (x, y) = ((c.x - min.x) * scale, (max.y - c.y) * scale);
                ((0.0..=MAP_WIDTH).contains(&x) && (0.0..=height).contains(&y)).then(|| MapPoint {
                    code: p.code.clone(),
                    name: p.name_vi.clone(),
                    x: x.round() as i32,
                    y: y.round() as i32,
                })
            })
            .collect();
        MapData {
            width: MAP_WIDTH as u32,
            height: height as u32,
            shapes,
            source: self.source.clone(),
            points,
        }
    }
}

fn svg_path(m: &MultiPolygon) -> String {
    let mut d = String::new();
    let mut ring = |line: &LineString| {
        let mut last: Option<(i64, i64)> = None;
        for (i, c) in line.0.iter().enumerate() {
            let p = (c.x.round() as i64, c.y.round() as i64);
            if last == Some(p) {
                continue;
            }
            d.push(if i == 0 { 'M' } else { 'L' });
            d.push_str(&format!("{} {}", p.0, p.1));
            last = Some(p);
        }
        d.push('Z');
    };
    for polygon in &m.0 {
        ring(polygon.exterior());
        for hole in polygon.interiors() {
            ring(hole);
        }
    }
    d
}

// ---- the schematic hexagon grid (pointy-top, offset rows) ----

fn hex_centre((col, row): (i64, i64), origin: Coord, size: f64) -> Coord {
    let w = size * 3f64.sqrt();
    let x = origin.x + col as f64 * w + if row.rem_euclid(2) == 1 { w / 2.0 } else { 0.0 };
    Coord {
        x,
        y: origin.y + row as f64 * size * 1.5,
    }
}

fn hex_cell(c: Coord, origin: Coord, size: f64) -> (i64, i64) {
    let row = ((c.y - origin.y) / (size * 1.5)).round() as i64;
    let w = size * 3f64.sqrt();
    let shift = if row.rem_euclid(2) == 1 { w / 2.0 } else { 0.0 };
    (((c.x - origin.x - shift) / w).round() as i64, row)
}

fn nearest_free(wanted: (i64, i64), taken: &HashSet<(i64, i64)>) -> (i64, i64) {
    (0i64..)
        .flat_map(|r| {
            (-r..=r).flat_map(move |dx| {
                (-r..=r)
                    .filter(move |dy| dx.abs().max(dy.abs()) == r)
                    .map(move |dy| (dx, dy))
            })
        })
        .map(|(dx, dy)| (wanted.0 + dx, wanted.1 + dy))
        .find(|cell| !taken.contains(cell))
        .unwrap_or(wanted)
}

fn hexagon(centre: Coord, size: f64) -> Polygon {
    let corners: Vec<Coord> = (0..=6)
        .map(|i| {
            let angle = (60.0 * f64::from(i % 6) - 30.0).to_radians();
            Coord {
                x: centre.x + size * 0.95 * angle.cos(),
                y: centre.y + size * 0.95 * angle.sin(),
            }
        })
        .collect();
    Polygon::new(LineString::from(corners), vec![])
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Area as _;
    use time::macros::date;

    #[test]
    fn every_commune_of_the_demo_province_has_a_real_shape() {
        let files = crate::province::demo();
        let catalogue = crate::province::load(&files).unwrap();
        let g = Geography::load(files.geometry.as_deref(), &catalogue).unwrap();
        let today = date!(2026 - 11 - 23);
        let communes: Vec<&Area> = catalogue
            .areas_on(today)
            .filter(|a| a.is_commune_level())
            .collect();
        assert_eq!(communes.len(), 75);
        for a in &communes {
            let shape = g
                .shapes
                .get(&a.code)
                .unwrap_or_else(|| panic!("{} has no shape", a.name_vi));
            assert!(
                !shape.schematic,
                "{} should have a real boundary",
                a.name_vi
            );
            assert!(shape.geometry.unsigned_area() > 0.0);
        }
        let map = g.map(&catalogue, today);
        assert_eq!(map.shapes.len(), 75);
        assert!(map
            .shapes
            .iter()
            .all(|s| s.path.starts_with('M') && s.path.ends_with('Z')));
        assert!(
            map.shapes.iter().any(|s| s.approximate),
            "the Mộc Châu area is rebuilt approximately"
        );
        // before the reform (and after Thị xã Mộc Châu and its wards were founded on
        // 1 February 2025): the 200 communes, wards and townships of the time
        assert_eq!(
            g.geojson(&catalogue, date!(2025 - 03 - 01))
                .features
                .iter()
                .filter(|f| f.property("kind").and_then(|k| k.as_str()) != Some("district"))
                .count(),
            200
        );
    }

    #[test]
    fn units_without_geometry_get_schematic_hexagons() {
        let mut data = app::model::ProvinceData {
            province: "99".into(),
            ..Default::default()
        };
        let unit = |code: &str, point: Option<[f64; 2]>| Area {
            code: code.into(),
            official_code: None,
            name_vi: format!("Xã {code}"),
            kind: if code == "99" {
                AreaKind::Province
            } else {
                AreaKind::Commune
            },
            parent: (code != "99").then(|| "99".to_string()),
            valid_from: None,
            valid_to: None,
            point,
        };
        data.areas = vec![
            unit("99", None),
            unit("1", Some([105.0, 21.0])),
            unit("2", Some([105.0, 21.0])),
            unit("3", None),
        ];
        let catalogue = Catalogue::new(data).unwrap();
        let g = Geography::load(None, &catalogue).unwrap();
        let shapes: Vec<&Shape> = ["1", "2", "3"]
            .iter()
            .map(|c| g.shapes.get(*c).unwrap())
            .collect();
        assert!(shapes.iter().all(|s| s.schematic));
        // equal areas, no two in the same place
        let areas: Vec<f64> = shapes.iter().map(|s| s.geometry.unsigned_area()).collect();
        assert!(areas.iter().all(|a| (a - areas[0]).abs() < 1e-9));
        assert_ne!(shapes[0].geometry, shapes[1].geometry);
        let collection = g.geojson(&catalogue, date!(2026 - 01 - 01));
        assert!(collection
            .features
            .iter()
            .all(|f| f.property("schematic") == Some(&serde_json::Value::Bool(true))));
    }
}
