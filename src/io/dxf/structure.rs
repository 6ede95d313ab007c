//! The sections of a DXF file: the header variables towncircle needs and the entities of the
//! ENTITIES section with their groups (POLYLINE with its VERTEXes, INSERT with its ATTRIBs).
//! Other sections (CLASSES, TABLES, BLOCKS, OBJECTS) are passed over.

use super::pairs::{At, Pair, PairError, Pairs};

/// An entity of the ENTITIES section, its groups still raw.
#[derive(Debug, Clone)]
pub(super) struct RawEntity<'a> {
    /// The entity type: LINE, LWPOLYLINE, …
    pub kind: &'a str,
    /// 1-based place among the entities of the ENTITIES section (a POLYLINE with its vertices
    /// counts once).
    pub number: u64,
    /// The groups after the (0, type) group.
    pub pairs: Vec<Pair<'a>>,
    /// VERTEXes of a POLYLINE, ATTRIBs of an INSERT.
    pub children: Vec<RawEntity<'a>>,
}

impl<'a> RawEntity<'a> {
    /// The first value of group `code`.
    pub(super) fn get(&self, code: i32) -> Option<&super::pairs::Value<'a>> {
        self.pairs.iter().find(|p| p.code == code).map(|p| &p.value)
    }

    pub(super) fn f64(&self, code: i32) -> Option<f64> {
        self.get(code).and_then(|v| v.f64())
    }

    pub(super) fn int(&self, code: i32) -> Option<i64> {
        self.get(code).and_then(|v| v.int())
    }

    pub(super) fn bytes(&self, code: i32) -> &'a [u8] {
        self.get(code).map(|v| v.bytes()).unwrap_or(&[])
    }
}

/// What a DXF file holds that the reader uses.
#[derive(Debug, Default)]
pub(super) struct RawDrawing<'a> {
    /// `$ACADVER`: AC1009 (R12) … AC1032 (R2018).
    pub version: Option<String>,
    /// `$DWGCODEPAGE`: ANSI_936, ANSI_1252 …
    pub codepage: Option<String>,
    /// `$INSUNITS`: 0 unitless, 1 inches, 4 millimetres, 5 centimetres, 6 metres …
    pub insunits: Option<i64>,
    pub entities: Vec<RawEntity<'a>>,
    /// VERTEX, ATTRIB or SEQEND entities outside their POLYLINE or INSERT.
    pub stray: usize,
    /// The file has no (0, EOF) group after its last section.
    pub no_eof: bool,
}

/// Why a file could not be read: where, and what.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct StructureError {
    pub at: Option<At>,
    pub message: String,
}

impl From<PairError> for StructureError {
    fn from(e: PairError) -> Self {
        StructureError {
            at: Some(e.at),
            message: e.message,
        }
    }
}

fn err(at: At, message: impl Into<String>) -> StructureError {
    StructureError {
        at: Some(at),
        message: message.into(),
    }
}

/// Read the structure of a DXF file: an error when it is no DXF, is damaged or is cut short.
pub(super) fn read(bytes: &[u8]) -> Result<RawDrawing<'_>, StructureError> {
    let mut pairs = Pairs::new(bytes);
    let mut drawing = RawDrawing::default();
    let mut seen_section = false;
    loop {
        let at = pairs.at();
        let Some(pair) = pairs.next() else {
            if !seen_section {
                return Err(StructureError {
                    at: None,
                    message: "not a DXF file: it is empty".into(),
                });
            }
            drawing.no_eof = true;
            return Ok(drawing);
        };
        let pair = match pair {
            Ok(p) => p,
            Err(e) if !seen_section => {
                return Err(err(
                    e.at,
                    format!(
                        "not a DXF file ({}): a DXF file begins with the groups 0/SECTION",
                        e.message
                    ),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        match (pair.code, pair.value.keyword()) {
            (999, _) => continue,
            (0, "EOF") if seen_section => return Ok(drawing),
            (0, "SECTION") => {
                seen_section = true;
                section(&mut pairs, &mut drawing)?;
            }
            _ if !seen_section => {
                return Err(err(
                    at,
                    "not a DXF file: it does not begin with the groups 0/SECTION",
                ));
            }
            (code, v) => {
                return Err(err(
                    at,
                    format!(
                        "expected 0/SECTION or 0/EOF between sections, found {code}/{}",
                        v.chars().take(30).collect::<String>()
                    ),
                ));
            }
        }
    }
}

/// The next pair, an error naming the section when the file ends.
fn next_in<'a>(pairs: &mut Pairs<'a>, section: &str) -> Result<Pair<'a>, StructureError> {
    let at = pairs.at();
    match pairs.next() {
        Some(Ok(p)) => Ok(p),
        Some(Err(e)) => Err(e.into()),
        None => Err(err(
            at,
            format!(
                "the file ends inside its {section} section, before 0/ENDSEC and 0/EOF: it was cut short (an incomplete copy or download); copy or export it again"
            ),
        )),
    }
}

fn section<'a>(pairs: &mut Pairs<'a>, drawing: &mut RawDrawing<'a>) -> Result<(), StructureError> {
    let at = pairs.at();
    let name_pair = next_in(pairs, "unnamed")?;
    if name_pair.code != 2 {
        return Err(err(at, "a SECTION without its name (group 2)"));
    }
    let name = name_pair.value.keyword().to_ascii_uppercase();
    match name.as_str() {
        "HEADER" => header(pairs, drawing),
        "ENTITIES" => entities(pairs, drawing),
        _ => loop {
            let p = next_in(pairs, &name)?;
            if p.code == 0 && p.value.keyword() == "ENDSEC" {
                return Ok(());
            }
        },
    }
}

fn header<'a>(pairs: &mut Pairs<'a>, drawing: &mut RawDrawing<'a>) -> Result<(), StructureError> {
    let mut var = String::new();
    loop {
        let p = next_in(pairs, "HEADER")?;
        match p.code {
            0 if p.value.keyword() == "ENDSEC" => return Ok(()),
            9 => var = p.value.keyword().to_ascii_uppercase(),
            1 if var == "$ACADVER" => drawing.version = Some(p.value.keyword().to_string()),
            3 if var == "$DWGCODEPAGE" => drawing.codepage = Some(p.value.keyword().to_string()),
            70 if var == "$INSUNITS" => drawing.insunits = p.value.int(),
            _ => {}
        }
    }
}

fn entities<'a>(pairs: &mut Pairs<'a>, drawing: &mut RawDrawing<'a>) -> Result<(), StructureError> {
    let mut current: Option<RawEntity<'a>> = None;
    // The POLYLINE or INSERT whose VERTEXes or ATTRIBs follow, until SEQEND.
    let mut open_sequence = false;
    let mut number = 0u64;
    loop {
        let p = next_in(pairs, "ENTITIES")?;
        if p.code != 0 {
            if let Some(e) = current.as_mut() {
                e.pairs.push(p);
            }
            continue;
        }
        let kind = p.value.keyword();
        // Close the entity being read: a child goes to its parent.
        if let Some(e) = current.take() {
            let child = matches!(e.kind, "VERTEX" | "ATTRIB");
            match drawing.entities.last_mut() {
                Some(parent) if child && open_sequence => parent.children.push(e),
                _ if child || e.kind == "SEQEND" => drawing.stray += usize::from(child),
                _ => drawing.entities.push(e),
            }
        }
        if kind == "ENDSEC" {
            return Ok(());
        }
        match kind {
            "VERTEX" | "ATTRIB" => {
                let parent = drawing.entities.last().map(|e| e.kind);
                let fits = matches!(
                    (kind, parent),
                    ("VERTEX", Some("POLYLINE")) | ("ATTRIB", Some("INSERT"))
                );
                if !(open_sequence && fits) {
                    open_sequence = false;
                }
            }
            "SEQEND" => {}
            "POLYLINE" | "INSERT" => open_sequence = true,
            _ => open_sequence = false,
        }
        let is_top_level = !matches!(kind, "VERTEX" | "ATTRIB" | "SEQEND");
        if is_top_level {
            number += 1;
        }
        current = Some(RawEntity {
            kind,
            number,
            pairs: Vec::new(),
            children: Vec::new(),
        });
        if kind == "SEQEND" {
            // SEQEND closes the sequence after it is read (it has no use of its own).
            open_sequence = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dxf(body: &str) -> String {
        let mut s = String::new();
        for (i, line) in body.lines().enumerate() {
            if i % 2 == 0 {
                s.push_str(&format!("{:>3}\n", line.trim()));
            } else {
                s.push_str(line.trim());
                s.push('\n');
            }
        }
        s
    }

    #[test]
    fn polyline_vertices_and_insert_attribs_are_children() {
        let text = dxf(
            "0\nSECTION\n2\nHEADER\n9\n$ACADVER\n1\nAC1009\n9\n$DWGCODEPAGE\n3\nANSI_936\n0\nENDSEC\n\
             0\nSECTION\n2\nENTITIES\n\
             0\nPOLYLINE\n8\nA\n66\n1\n0\nVERTEX\n10\n1\n20\n2\n0\nVERTEX\n10\n3\n20\n4\n0\nSEQEND\n\
             0\nINSERT\n8\nB\n2\nblk\n66\n1\n0\nATTRIB\n2\nNAME\n1\nx\n0\nSEQEND\n\
             0\nLINE\n8\nC\n0\nVERTEX\n0\nENDSEC\n0\nEOF\n",
        );
        let d = read(text.as_bytes()).unwrap();
        assert_eq!(d.version.as_deref(), Some("AC1009"));
        assert_eq!(d.codepage.as_deref(), Some("ANSI_936"));
        let kinds: Vec<&str> = d.entities.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, ["POLYLINE", "INSERT", "LINE"]);
        assert_eq!(d.entities[0].children.len(), 2);
        assert_eq!(d.entities[0].children[1].f64(20), Some(4.0));
        assert_eq!(d.entities[1].children.len(), 1);
        assert_eq!(d.entities[2].number, 3);
        assert_eq!(d.stray, 1);
        assert!(!d.no_eof);
    }

    #[test]
    fn cut_and_foreign_files_are_errors() {
        let text = dxf("0\nSECTION\n2\nENTITIES\n0\nLINE\n8\nA\n");
        let e = read(text.as_bytes()).unwrap_err();
        assert!(e.message.contains("cut short"), "{}", e.message);
        let e = read(b"PK\x03\x04garbage").unwrap_err();
        assert!(e.message.starts_with("not a DXF file"), "{}", e.message);
        let e = read(b"").unwrap_err();
        assert!(e.message.contains("empty"), "{}", e.message);
        let e = read(dxf("0\nLINE\n8\nA\n").as_bytes()).unwrap_err();
        assert!(e.message.starts_with("not a DXF file"), "{}", e.message);
    }
}
