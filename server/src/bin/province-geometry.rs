//! `province-geometry <province-dir>`: builds a province's commune shapes, once, from
//! pre-reform commune rings (`sources/legacy-rings.json`, written by `sources/extract.py`),
//! its units (`areas.toml`) and crosswalk (`crosswalk.toml`). Writes `geometry.geojson`
//! (committed; the server ships it) and `sources/geometry-report.md` (every decision taken).
//!
//! The rings come from an older vintage than the units of 30 June 2025, so each ring is
//! given to the pre-reform unit(s) it belongs to:
//! 1. same district and commune name (diacritics and spacing ignored) — exact;
//! 2. otherwise the ring containing a unit's reference point — exact when it is that unit's
//!    alone (a spelling variant), split between the units by nearest reference point when
//!    several units (renamed or re-divided since) fall in it — approximate;
//! 3. a ring no unit claims goes to the unit of its district with the nearest reference
//!    point — approximate.
//!
//! Pre-reform shapes are the union of their pieces; post-reform shapes the union of their
//! predecessors through the crosswalk (a shape is approximate if any piece is). Shapes are
//! then simplified (Ramer–Douglas–Peucker, well below what a screen shows) and written with
//! 4 decimals (about 11 m). All geometry operations are the `geo` crate's.

use anyhow::{bail, Context};
use app::model::{Area, AreaKind, Catalogue};
use geo::orient::{Direction, Orient};
use geo::{
    BooleanOps, Contains, Coord, Distance, Haversine, InteriorPoint, LineString, MapCoords,
    MultiPolygon, Point, Polygon, Simplify,
};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

/// Ramer–Douglas–Peucker tolerance, in degrees (about 40 m; a 4K wall shows the province
/// at about 100 m per pixel).
const SIMPLIFY: f64 = 0.0004;
/// Holes smaller than this (in square degrees, about 0.1 km²) are slivers between source
/// rings that do not quite meet, not enclaves, and are filled.
const SLIVER: f64 = 1e-5;
/// Coordinates are written with this many decimals.
const DECIMALS: i32 = 4;

#[derive(Deserialize)]
struct Rings {
    source: String,
    communes: Vec<Ring>,
}

#[derive(Deserialize)]
struct Ring {
    district: String,
    name: String,
    ring: Vec<[f64; 2]>,
}

/// Name without diacritics, case, spaces or hyphens ("Chiềng Lề" → "chiengle").
fn fold(name: &str) -> String {
    name.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| if c == 'đ' || c == 'Đ' { 'd' } else { c })
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

/// A unit's name without its kind ("Huyện Mộc Châu" → "Mộc Châu").
fn short(name: &str) -> &str {
    [
        "Thành phố ",
        "Thị xã ",
        "Huyện ",
        "Thị trấn ",
        "Phường ",
        "Xã ",
    ]
    .iter()
    .find_map(|p| name.strip_prefix(p))
    .unwrap_or(name)
}

/// A plane where distances are roughly true near the province (equirectangular at `lat0`).
struct Plane {
    k: f64,
}

impl Plane {
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

/// The half-plane of points closer to `a` than to `b`, as a large polygon (plane coords).
fn closer_to(a: Coord, b: Coord) -> Polygon {
    let mid = Coord {
        x: (a.x + b.x) / 2.0,
        y: (a.y + b.y) / 2.0,
    };
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = (dx * dx + dy * dy).sqrt().max(1e-12);
    let (nx, ny) = (dx / len, dy / len); // towards b
    let (tx, ty) = (-ny, nx); // along the bisector
    let far = 50.0;
    let p = |s: f64, t: f64| Coord {
        x: mid.x - nx * s + tx * t,
        y: mid.y - ny * s + ty * t,
    };
    Polygon::new(
        LineString::from(vec![
            p(0.0, -far),
            p(0.0, far),
            p(far, far),
            p(far, -far),
            p(0.0, -far),
        ]),
        vec![],
    )
}

struct Piece {
    unit: String,
    shape: MultiPolygon,
    exact: bool,
}

/// Splits `ring` between `units` by nearest reference point (the Voronoi cells of their
/// points, clipped to the ring). Units whose point coincides with an earlier unit's get
/// nothing (there is no way to tell them apart) and are returned separately.
fn split_by_nearest<'a>(
    ring: &Polygon,
    units: &[&'a Area],
    plane: &Plane,
    point_of: impl Fn(&Area) -> Coord,
) -> (Vec<(String, MultiPolygon)>, Vec<&'a Area>) {
    let mut seeds: Vec<(&Area, Coord)> = Vec::new();
    let mut unplaced = Vec::new();
    for a in units {
        let seed = plane.to(point_of(a));
        if seeds
            .iter()
            .any(|(_, s)| (s.x - seed.x).abs() < 1e-9 && (s.y - seed.y).abs() < 1e-9)
        {
            unplaced.push(*a);
        } else {
            seeds.push((a, seed));
        }
    }
    let projected = ring.map_coords(|c| plane.to(c));
    let pieces = seeds
        .iter()
        .map(|(a, seed)| {
            let mut region = MultiPolygon(vec![projected.clone()]);
            for (_, other) in seeds.iter().filter(|(b, _)| b.code != a.code) {
                region = region.intersection(&closer_to(*seed, *other));
            }
            (
                a.code.clone(),
                region
                    .map_coords(|c| plane.from(c))
                    .orient(Direction::Default),
            )
        })
        .collect();
    (pieces, unplaced)
}

/// The union of shapes, two at a time (`geo::unary_union` takes its fill rule from the
/// first ring it meets, which goes wrong when that ring is degenerate).
fn union_all<'a>(
    shapes: impl IntoIterator<Item = &'a (impl BooleanOps<Scalar = f64> + 'a)>,
) -> MultiPolygon {
    shapes
        .into_iter()
        .fold(MultiPolygon(vec![]), |acc, shape| acc.union(shape))
}

/// Fills the sliver holes the union of imperfectly matching rings leaves.
fn without_slivers(m: MultiPolygon) -> MultiPolygon {
    use geo::Area as _;
    MultiPolygon(
        m.0.into_iter()
            .map(|p| {
                let (exterior, interiors) = p.into_inner();
                let kept = interiors
                    .into_iter()
                    .filter(|h| Polygon::new(h.clone(), vec![]).unsigned_area() >= SLIVER)
                    .collect();
                Polygon::new(exterior, kept)
            })
            .collect(),
    )
}

fn round(m: &MultiPolygon) -> MultiPolygon {
    let f = 10f64.powi(DECIMALS);
    m.map_coords(|c| Coord {
        x: (c.x * f).round() / f,
        y: (c.y * f).round() / f,
    })
}

fn main() -> anyhow::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .context("usage: province-geometry <province-dir>")?;
    let dir = Path::new(&dir);
    let catalogue: Catalogue = server::province::load(&server::province::read_dir(dir)?)?;
    let rings: Rings = serde_json::from_str(&std::fs::read_to_string(
        dir.join("sources/legacy-rings.json"),
    )?)?;
    let province = catalogue.area(&catalogue.province).context("no province")?;
    let lat0 = province.point.map_or(21.0, |p| p[1]);
    let plane = Plane {
        k: lat0.to_radians().cos(),
    };

    // the pre-reform communes the rings stand for
    let legacy: Vec<&Area> = catalogue
        .areas
        .iter()
        .filter(|a| a.is_commune_level() && a.valid_to.is_some() && a.point.is_some())
        .collect();
    let district_name = |a: &Area| {
        a.parent
            .as_deref()
            .and_then(|p| catalogue.area(p))
            .filter(|d| d.kind == AreaKind::District)
            .map(|d| fold(short(&d.name_vi)))
    };
    let by_name: BTreeMap<(String, String), &Area> = legacy
        .iter()
        .filter_map(|a| Some(((district_name(a)?, fold(short(&a.name_vi))), *a)))
        .collect();
    let point_of = |a: &Area| {
        let [x, y] = a.point.unwrap_or([0.0, 0.0]);
        Coord { x, y }
    };

    let polygons: Vec<Polygon> = rings
        .communes
        .iter()
        .map(|r| {
            Polygon::new(
                LineString::from(
                    r.ring
                        .iter()
                        .map(|&[x, y]| Coord { x, y })
                        .collect::<Vec<_>>(),
                ),
                vec![],
            )
        })
        .collect();
    let mut report = String::new();
    let mut owners: Vec<Vec<&Area>> = vec![Vec::new(); polygons.len()];
    let mut named: BTreeSet<usize> = BTreeSet::new();
    let mut matched_units: BTreeSet<&str> = BTreeSet::new();
    for (i, r) in rings.communes.iter().enumerate() {
        if let Some(a) = by_name.get(&(fold(&r.district), fold(&r.name))) {
            owners[i].push(a);
            named.insert(i);
            matched_units.insert(&a.code);
        }
    }
    writeln!(
        report,
        "- {} of {} rings matched a pre-reform commune by district and name.",
        named.len(),
        polygons.len()
    )?;
    writeln!(report, "\n## Communes placed by their reference point\n")?;
    for a in legacy
        .iter()
        .filter(|a| !matched_units.contains(a.code.as_str()))
    {
        let p = Point::from(point_of(a));
        match polygons.iter().position(|poly| poly.contains(&p)) {
            Some(i) => {
                owners[i].push(a);
                let r = &rings.communes[i];
                writeln!(
                    report,
                    "- {} ({}) lies in the ring of {} / {}",
                    a.name_vi, a.code, r.district, r.name
                )?;
            }
            None => writeln!(
                report,
                "- {} ({}): its point is in no ring; it gets no shape of its own",
                a.name_vi, a.code
            )?,
        }
    }

    // rings no unit claims go to the unit of their district with the nearest point
    writeln!(report, "\n## Rings no commune claims, given to the nearest reference point in their district (approximate)\n")?;
    let mut guessed: BTreeSet<usize> = BTreeSet::new();
    for i in 0..polygons.len() {
        if !owners[i].is_empty() {
            continue;
        }
        let inside = polygons[i].interior_point().context("an empty ring")?;
        let district = fold(&rings.communes[i].district);
        let same_district: Vec<&&Area> = legacy
            .iter()
            .filter(|a| district_name(a).as_deref() == Some(district.as_str()))
            .collect();
        let candidates = if same_district.is_empty() {
            legacy.iter().collect()
        } else {
            same_district
        };
        let nearest = candidates
            .into_iter()
            .min_by(|a, b| {
                let da = Haversine.distance(inside, Point::from(point_of(a)));
                let db = Haversine.distance(inside, Point::from(point_of(b)));
                da.total_cmp(&db)
            })
            .context("no pre-reform communes")?;
        let r = &rings.communes[i];
        writeln!(
            report,
            "- {} / {} → {} ({})",
            r.district, r.name, nearest.name_vi, nearest.code
        )?;
        owners[i].push(nearest);
        guessed.insert(i);
    }

    // each ring's pieces, for the units before the reform and for those after it
    let successors = |a: &Area| -> Vec<&Area> {
        catalogue
            .crosswalk
            .iter()
            .filter(|l| l.from == a.code)
            .filter_map(|l| catalogue.area(&l.to))
            .collect()
    };
    let current: Vec<&Area> = catalogue
        .areas
        .iter()
        .filter(|a| a.is_commune_level() && a.valid_to.is_none() && a.point.is_some())
        .collect();
    let mut legacy_pieces: Vec<Piece> = Vec::new();
    let mut new_pieces: Vec<Piece> = Vec::new();
    writeln!(
        report,
        "\n## Rings split by nearest reference point (approximate)\n"
    )?;
    for (i, poly) in polygons.iter().enumerate() {
        let r = &rings.communes[i];
        let exact = !guessed.contains(&i) && owners[i].len() == 1;
        // after the reform: the successors of the ring's communes and any new unit whose
        // reference point lies in it; a ring nobody claimed goes to the nearest new unit
        let mut after: Vec<&Area> = if guessed.contains(&i) {
            let inside = poly.interior_point().context("an empty ring")?;
            current
                .iter()
                .copied()
                .min_by(|a, b| {
                    Haversine
                        .distance(inside, Point::from(point_of(a)))
                        .total_cmp(&Haversine.distance(inside, Point::from(point_of(b))))
                })
                .into_iter()
                .collect()
        } else {
            owners[i].iter().flat_map(|a| successors(a)).collect()
        };
        after.extend(
            current
                .iter()
                .copied()
                .filter(|a| poly.contains(&Point::from(point_of(a)))),
        );
        after.sort_by(|a, b| a.code.cmp(&b.code));
        after.dedup_by(|a, b| a.code == b.code);
        for (level, units, pieces) in [
            ("before", owners[i].clone(), &mut legacy_pieces),
            ("after", after, &mut new_pieces),
        ] {
            if units.len() == 1 {
                pieces.push(Piece {
                    unit: units[0].code.clone(),
                    shape: MultiPolygon(vec![poly.clone()]),
                    exact,
                });
                continue;
            }
            let (split, unplaced) = split_by_nearest(poly, &units, &plane, point_of);
            let names: Vec<&str> = units.iter().map(|a| a.name_vi.as_str()).collect();
            writeln!(
                report,
                "- {} / {} ({level} the reform) → {}",
                r.district,
                r.name,
                names.join(", ")
            )?;
            for a in unplaced {
                writeln!(report, "  - {} shares its reference point with another unit here and gets no piece of this ring", a.name_vi)?;
            }
            pieces.extend(split.into_iter().map(|(unit, shape)| Piece {
                unit,
                shape,
                exact: false,
            }));
        }
    }

    // shapes: the union of each unit's pieces; districts: the union of their communes
    let union_of = |pieces: &[Piece], unit: &str| -> Option<(MultiPolygon, bool)> {
        let mine: Vec<&Piece> = pieces.iter().filter(|p| p.unit == unit).collect();
        (!mine.is_empty()).then(|| {
            (
                union_all(mine.iter().map(|p| &p.shape)),
                mine.iter().all(|p| p.exact),
            )
        })
    };
    let mut shapes: BTreeMap<String, (MultiPolygon, bool)> = BTreeMap::new();
    for a in &legacy {
        if let Some(shape) = union_of(&legacy_pieces, &a.code) {
            shapes.insert(a.code.clone(), shape);
        }
    }
    for a in catalogue
        .areas
        .iter()
        .filter(|a| a.is_commune_level() && a.valid_to.is_none())
    {
        if let Some((shape, exact)) = union_of(&new_pieces, &a.code) {
            let partial = catalogue
                .crosswalk
                .iter()
                .any(|l| l.to == a.code && l.share < rust_decimal::Decimal::ONE);
            shapes.insert(a.code.clone(), (shape, exact && !partial));
        }
    }
    for d in catalogue
        .areas
        .iter()
        .filter(|a| a.kind == AreaKind::District)
    {
        let members: Vec<&Area> = legacy
            .iter()
            .copied()
            .filter(|a| a.parent.as_deref() == Some(d.code.as_str()))
            .collect();
        let parts: Vec<&(MultiPolygon, bool)> =
            members.iter().filter_map(|m| shapes.get(&m.code)).collect();
        if parts.is_empty() {
            continue;
        }
        let exact = parts.len() == members.len() && parts.iter().all(|(_, e)| *e);
        let union = union_all(parts.iter().map(|(m, _)| m));
        shapes.insert(d.code.clone(), (union, exact));
    }
    // the units of today must tile the province: every ring's area belongs to one of them
    let rings_area = geo::Area::unsigned_area(&union_all(polygons.iter()));
    let current_shapes: Vec<&MultiPolygon> = catalogue
        .areas
        .iter()
        .filter(|a| a.is_commune_level() && a.valid_to.is_none())
        .filter_map(|a| shapes.get(&a.code).map(|(m, _)| m))
        .collect();
    let covered = geo::Area::unsigned_area(&union_all(current_shapes.iter().copied()));
    let coverage = covered / rings_area * 100.0;
    writeln!(
        report,
        "\n- Today's units cover {coverage:.2}% of the area of the rings."
    )?;
    if coverage < 99.5 {
        bail!("today's units cover only {coverage:.2}% of the province's rings");
    }
    writeln!(report, "\n## Units whose shape is approximate\n")?;
    for (code, (_, exact)) in &shapes {
        if !exact {
            let a = catalogue.area(code).context("unknown unit")?;
            writeln!(report, "- {} ({})", a.name_vi, code)?;
        }
    }

    let mut features = Vec::new();
    let mut current_bytes = 0usize;
    let mut missing = Vec::new();
    for a in catalogue
        .areas
        .iter()
        .filter(|a| a.kind != AreaKind::Province)
    {
        let Some((shape, exact)) = shapes.get(&a.code) else {
            missing.push(format!("{} ({})", a.name_vi, a.code));
            continue;
        };
        let simplified = round(&without_slivers(shape.clone()).simplify(SIMPLIFY));
        let mut properties = serde_json::Map::new();
        properties.insert("code".into(), a.code.clone().into());
        properties.insert("name".into(), a.name_vi.clone().into());
        properties.insert("approximate".into(), (!exact).into());
        properties.insert("schematic".into(), false.into());
        let feature = geojson::Feature {
            bbox: None,
            geometry: Some(geojson::Geometry::new(geojson::GeometryValue::from(
                &simplified,
            ))),
            id: None,
            properties: Some(properties),
            foreign_members: None,
        };
        if a.valid_to.is_none() {
            current_bytes += serde_json::to_string(&feature)?.len();
        }
        features.push(feature);
    }
    let collection = geojson::FeatureCollection {
        bbox: None,
        features,
        foreign_members: Some(serde_json::Map::from_iter([(
            "source".to_string(),
            serde_json::Value::from(format!(
                "{}; dissolved into the units of areas.toml through crosswalk.toml by province-geometry",
                rings.source
            )),
        )])),
    };
    let text = serde_json::to_string(&collection)?;
    std::fs::write(dir.join("geometry.geojson"), &text)?;
    let mut head = format!(
        "# Geometry report\n\nWritten by `province-geometry` from `sources/legacy-rings.json` ({}).\n\n- geometry.geojson: {} KB in all; the units valid today: {} KB.\n",
        rings.source,
        text.len() / 1000,
        current_bytes / 1000
    );
    if !missing.is_empty() {
        writeln!(
            head,
            "- Units without a shape (the map marks them schematic): {}",
            missing.join(", ")
        )?;
    }
    std::fs::write(dir.join("sources/geometry-report.md"), head + &report)?;
    println!(
        "geometry.geojson: {} KB ({} KB for the units valid today); {} units without a shape",
        text.len() / 1000,
        current_bytes / 1000,
        missing.len()
    );
    if current_bytes > 300_000 {
        bail!(
            "the current map is {} KB, over the 300 KB target: raise SIMPLIFY",
            current_bytes / 1000
        );
    }
    Ok(())
}
