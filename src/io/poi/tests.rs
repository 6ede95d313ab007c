use super::*;
use super::{columns::*, csv_text::*};
use crate::model::Severity;

fn h(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

fn point(layer: &Layer, i: usize) -> (f64, f64) {
    match &layer.features[i].geometry {
        Geometry::Point(p) => (p.x(), p.y()),
        g => panic!("not a point: {g:?}"),
    }
}

#[test]
fn detects_english_chinese_and_tagged_columns() {
    let c = detect_columns(&h(&["名称", "类型", "类型编码", "地址", "经度", "纬度"]));
    assert_eq!(
        (c.name, c.kind, c.typecode, c.address, c.lon, c.lat),
        (Some(0), Some(1), Some(2), Some(3), Some(4), Some(5))
    );
    assert_eq!(c.crs_hint, None);
    let c = detect_columns(&h(&["ID", "Name", "LNG", "Lat"]));
    assert_eq!((c.lon, c.lat, c.name), (Some(2), Some(3), Some(1)));
    let c = detect_columns(&h(&[
        "name",
        "gcj_lng",
        "gcj_lat",
        "wgs84_lng",
        "wgs84_lat",
    ]));
    assert_eq!((c.lon, c.lat), (Some(3), Some(4)));
    assert_eq!(c.crs_hint, Some((CrsTag::Wgs84, "wgs84_lng".into())));
    let c = detect_columns(&h(&["经度(GCJ02)", "纬度（GCJ02）", "大类", "Type_Code"]));
    assert_eq!(
        (c.lon, c.lat, c.kind, c.typecode),
        (Some(0), Some(1), Some(2), Some(3))
    );
    assert_eq!(c.crs_hint, Some((CrsTag::Gcj02, "经度(GCJ02)".into())));
    let c = detect_columns(&h(&["百度经度", "百度纬度"]));
    assert_eq!(c.crs_hint.map(|t| t.0), Some(CrsTag::Bd09));
    let c = detect_columns(&h(&["name", "location", "typecode"]));
    assert_eq!((c.lon, c.location), (None, Some(1)));
    assert!(c.has_coordinates());
    assert!(!detect_columns(&h(&["名称", "地址", "电话"])).has_coordinates());
    assert!(!detect_columns(&h(&["lng", "名称"])).has_coordinates());
}

#[test]
fn utf8_with_bom() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = write(
        &dir,
        "poi.csv",
        "\u{feff}name,lng,lat,pop\n卫生院,120.1,30.2,12\n小学,120.2,30.3,\n".as_bytes(),
    );
    let layer = read(&p, &ReadOptions::default()).expect("read");
    assert_eq!(layer.features.len(), 2);
    assert_eq!(layer.fields[0].name, "name");
    assert_eq!(layer.fields[1].kind, FieldKind::Float);
    assert_eq!(layer.fields[3].kind, FieldKind::Int);
    assert_eq!(layer.features[1].attrs[3], AttrValue::Null);
    assert_eq!(point(&layer, 0), (120.1, 30.2));
    assert_eq!(layer.role_hint, Some(Role::Facilities));
    assert_eq!(layer.features[0].source_id, SourceId::Line(2));
    assert_eq!(
        layer.attr(&layer.features[0], "name"),
        Some(&AttrValue::Text("卫生院".into()))
    );
    assert!(
        layer
            .source
            .encoding
            .as_deref()
            .is_some_and(|e| e.contains("UTF-8")),
        "{:?}",
        layer.source.encoding
    );
    assert_eq!(layer.crs, CrsInfo::unknown());
    assert!(
        layer
            .issues
            .iter()
            .any(|i| i.message.contains("--crs GCJ02"))
    );
}

#[test]
fn gbk_with_chinese_headers() {
    let text = "名称,类型,类型编码,地址,经度,纬度\r\n\
                双浦镇卫生院,医疗保健服务;综合医院;卫生院,090102,双浦镇东路1号,120.0512,30.1423\r\n\
                双浦小学,科教文化服务;学校;小学,141203,双浦镇西路2号,120.0601,30.1502\r\n";
    let (gbk, _, bad) = encoding_rs::GBK.encode(text);
    assert!(!bad);
    let dir = tempfile::tempdir().expect("tmp");
    let p = write(&dir, "pois.csv", &gbk);
    let layer = read(&p, &ReadOptions::default()).expect("read");
    assert_eq!(layer.features.len(), 2);
    assert!(
        layer
            .source
            .encoding
            .as_deref()
            .is_some_and(|e| e.starts_with("GBK"))
    );
    assert_eq!(
        layer.attr(&layer.features[0], "名称"),
        Some(&AttrValue::Text("双浦镇卫生院".into()))
    );
    // A type code keeps its leading zero.
    assert_eq!(
        layer.attr(&layer.features[0], "类型编码"),
        Some(&AttrValue::Text("090102".into()))
    );
    assert_eq!(point(&layer, 1), (120.0601, 30.1502));
    assert!(layer.issues.iter().all(|i| i.severity == Severity::Warning));
    // The user's encoding wins, and says so.
    let opts = ReadOptions {
        encoding: Some(encoding_rs::GB18030),
        ..Default::default()
    };
    let layer = read(&p, &opts).expect("read");
    assert!(
        layer
            .source
            .encoding
            .as_deref()
            .is_some_and(|e| e.contains("user"))
    );
    assert_eq!(layer.features.len(), 2);
}

#[test]
fn loads_and_classifies_an_amap_table() {
    let text = "名称,类型编码,经度,纬度\n双浦镇卫生院,090102,120.0512,30.1423\n双浦小学,141203,120.0601,30.1502\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let dir = tempfile::tempdir().expect("tmp");
    let p = write(&dir, "高德POI.csv", &gbk);
    let ds = crate::io::load(&[p], &crate::io::LoadOptions::default());
    assert!(ds.failures.is_empty(), "{:?}", ds.failures);
    let layer = &ds.layers[0];
    assert_eq!(layer.role, Some(Role::Facilities));
    assert_eq!(layer.source_crs.crs, Some(Crs::Gcj02));
    let counts = &layer.classification.as_ref().expect("classified").counts;
    assert_eq!(counts.values().sum::<usize>(), 2, "{counts:?}");
}

#[test]
fn semicolon_delimiter_with_decimal_commas() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = write(
        &dir,
        "poi.csv",
        b"name;lon;lat\nA;120,5;30,25\nB;\"121.0\";31.0\n",
    );
    let layer = read(&p, &ReadOptions::default()).expect("read");
    assert_eq!(layer.fields.len(), 3);
    assert_eq!(layer.features.len(), 2);
    assert_eq!(point(&layer, 0), (120.5, 30.25));
    assert_eq!(point(&layer, 1), (121.0, 31.0));
    assert_eq!(detect_delimiter("a\tb\tc\n1\t2,5\t3\n"), b'\t');
    assert_eq!(detect_delimiter("a|b\n1|2\n"), b'|');
}

#[test]
fn combined_location_column() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = write(
        &dir,
        "amap_poi.csv",
        "id,name,location,typecode\nB0001,文化礼堂,\"120.11,30.21\",080000\nB0002,坏,\"120.11\",080000\n"
            .as_bytes(),
    );
    let layer = read(&p, &ReadOptions::default()).expect("read");
    assert_eq!(layer.features.len(), 1);
    assert_eq!(point(&layer, 0), (120.11, 30.21));
    assert_eq!(layer.issues.len(), 1);
    assert_eq!(layer.issues[0].feature, Some(SourceId::Line(3)));
    assert_eq!(layer.issues[0].severity, Severity::Skipped);
    // The file name says Amap.
    assert_eq!(layer.crs.crs, Some(Crs::Gcj02));
    assert_eq!(
        layer.crs.origin,
        crate::crs::CrsOrigin::Declared("file name".into())
    );
}

#[test]
fn bad_rows_are_skipped_with_their_line_numbers() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = write(
        &dir,
        "poi.csv",
        b"name,lng,lat\n\
          ok1,120.1,30.1\n\
          \n\
          \"multi\nline\",120.2,30.2\n\
          nonnum,abc,30.3\n\
          empty,,30.3\n\
          nan,NaN,30.3\n\
          far,200,30.3\n\
          ragged,120.4\n\
          ok2,120.5,30.5\n",
    );
    let layer = read(&p, &ReadOptions::default()).expect("read");
    let ids: Vec<SourceId> = layer.features.iter().map(|f| f.source_id).collect();
    assert_eq!(
        ids,
        vec![SourceId::Line(2), SourceId::Line(4), SourceId::Line(11)]
    );
    let skipped: Vec<(Option<SourceId>, &str)> = layer
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Skipped)
        .map(|i| (i.feature, i.message.as_str()))
        .collect();
    let lines: Vec<Option<SourceId>> = skipped.iter().map(|s| s.0).collect();
    assert_eq!(
        lines,
        [6, 7, 8, 9, 10].map(|n| Some(SourceId::Line(n))).to_vec()
    );
    assert!(skipped[0].1.contains("\"abc\""), "{}", skipped[0].1);
    assert!(skipped[1].1.contains("empty"), "{}", skipped[1].1);
    assert!(skipped[3].1.contains("out of range"), "{}", skipped[3].1);
    assert!(skipped[4].1.contains("fields"), "{}", skipped[4].1);
}

#[test]
fn zero_valid_rows_is_an_empty_layer_with_issues() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = write(&dir, "poi.csv", b"name,lng,lat\na,x,y\n");
    let layer = read(&p, &ReadOptions::default()).expect("read");
    assert!(layer.features.is_empty());
    assert_eq!(layer.skipped_count(), 1);
}

#[test]
fn no_coordinate_columns_is_an_error_naming_file_and_headers() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = write(&dir, "设施.csv", "名称,地址\n卫生院,某路\n".as_bytes());
    let err = read(&p, &ReadOptions::default()).expect_err("no coords");
    let msg = err.to_string();
    assert!(msg.contains("设施.csv"), "{msg}");
    assert!(msg.contains("\"名称\", \"地址\""), "{msg}");
    assert!(msg.contains("经度") && msg.contains("location"), "{msg}");
}

#[test]
fn crs_hints_from_columns_file_name_and_user() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = write(&dir, "poi.csv", b"name,gcj_lng,gcj_lat\na,120.1,30.1\n");
    let layer = read(&p, &ReadOptions::default()).expect("read");
    assert_eq!(
        layer.crs,
        CrsInfo::declared(Crs::Gcj02, "column name \"gcj_lng\"")
    );
    assert!(
        !layer
            .issues
            .iter()
            .any(|i| i.message.contains("assumed WGS84"))
    );
    let p = write(&dir, "百度POI.csv", b"name,lng,lat\na,120.1,30.1\n");
    let layer = read(&p, &ReadOptions::default()).expect("read");
    assert_eq!(layer.crs, CrsInfo::declared(Crs::Bd09, "file name"));
    let opts = ReadOptions {
        crs: Some(Crs::WGS84),
        ..Default::default()
    };
    let layer = read(&p, &opts).expect("read");
    assert_eq!(layer.crs, CrsInfo::user(Crs::WGS84));
}

#[test]
fn projected_and_swapped_tables_are_kept_for_the_loader() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = write(
        &dir,
        "poi.csv",
        b"name,x,y\na,40500123.5,3340123.1\nb,40500200,3340200\n",
    );
    let layer = read(&p, &ReadOptions::default()).expect("read");
    assert_eq!(layer.features.len(), 2);
    assert!(layer.issues.iter().any(|i| i.message.contains("projected")));
    let p = write(
        &dir,
        "poi2.csv",
        b"name,lng,lat\na,30.1,120.1\nb,30.2,120.2\n",
    );
    let layer = read(&p, &ReadOptions::default()).expect("read");
    assert_eq!(layer.features.len(), 2);
    assert!(layer.issues.iter().any(|i| i.message.contains("swapped")));
}

fn write_xlsx(path: &Path) {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet();
    notes.set_name("说明").expect("name");
    notes.write_string(0, 0, "导出说明").expect("w");
    notes.write_string(0, 1, "高德").expect("w");
    let ws = wb.add_worksheet();
    ws.set_name("POI").expect("name");
    ws.write_string(0, 0, "双浦镇设施清单").expect("w");
    for (c, name) in ["名称", "类型编码", "经度", "纬度", "人数"]
        .iter()
        .enumerate()
    {
        ws.write_string(2, c as u16, *name).expect("w");
    }
    ws.write_string(3, 0, "卫生院").expect("w");
    ws.write_number(3, 1, 90102.0).expect("w");
    ws.write_number(3, 2, 120.05).expect("w");
    ws.write_number(3, 3, 30.14).expect("w");
    ws.write_number(3, 4, 12.0).expect("w");
    ws.write_string(4, 0, "坏行").expect("w");
    ws.write_string(4, 2, "东经").expect("w");
    ws.write_number(4, 3, 30.2).expect("w");
    ws.write_string(5, 0, "小学").expect("w");
    ws.write_string(5, 1, "141203").expect("w");
    ws.write_string(5, 2, "120.06").expect("w");
    ws.write_number(5, 3, 30.15).expect("w");
    wb.save(path).expect("save");
}

#[test]
fn xlsx_first_sheet_with_coordinates() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("facilities.xlsx");
    write_xlsx(&p);
    let layer = read(&p, &ReadOptions::default()).expect("read");
    assert_eq!(layer.source.table.as_deref(), Some("POI"));
    assert_eq!(layer.source.format, Format::Xlsx);
    assert_eq!(layer.features.len(), 2);
    assert_eq!(layer.features[0].source_id, SourceId::Row(4));
    assert_eq!(layer.features[1].source_id, SourceId::Row(6));
    assert_eq!(point(&layer, 0), (120.05, 30.14));
    assert_eq!(point(&layer, 1), (120.06, 30.15));
    assert_eq!(
        layer.attr(&layer.features[0], "类型编码"),
        Some(&AttrValue::Text("090102".into()))
    );
    assert_eq!(
        layer.attr(&layer.features[0], "人数"),
        Some(&AttrValue::Int(12))
    );
    let skipped: Vec<&Issue> = layer
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Skipped)
        .collect();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].feature, Some(SourceId::Row(5)));
}

#[test]
fn truncated_or_fake_xlsx_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().expect("tmp");
    let good = dir.path().join("good.xlsx");
    write_xlsx(&good);
    let bytes = std::fs::read(&good).expect("read");
    for cut in [bytes.len() / 2, bytes.len() - 30, 10, 0] {
        let p = write(&dir, "cut.xlsx", &bytes[..cut]);
        let err = read(&p, &ReadOptions::default()).expect_err("truncated");
        assert!(err.to_string().contains("cut.xlsx"), "{err}");
    }
    let p = write(
        &dir,
        "fake.xls",
        b"<html><table><tr><td>1</td></tr></table></html>",
    );
    let err = read(&p, &ReadOptions::default()).expect_err("html");
    assert!(err.to_string().contains("not an Excel workbook"), "{err}");
}
