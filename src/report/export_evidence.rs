//! The completed workbook's Evidence sheet: every case's evidence grouped by case (ID, title,
//! outcome), each image embedded below its row (downscaled when large, so the workbook stays
//! small), PDFs and other files listed with name, size and SHA-256. The case row's Evidence
//! cell links to its block. Resuming reads the sheet back and writes the pictures into the
//! evidence folder, matched by the SHA-256 of the picture each row records (never by order).

use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader};
use chrono::{DateTime, NaiveDateTime, Utc};
use rust_xlsxwriter::{Image, Worksheet, XlsxError};
use sha2::{Digest, Sha256};

use super::export::Formats;
use super::export_plan::{page_setup, row_height, wrapped_lines};
use crate::plan::Plan;
use crate::plan::completed::fit_cell;
use crate::session::evidence::{hex, store};
use crate::session::{Evidence, EvidenceFile, EvidenceKind, Session};

pub const EVIDENCE_SHEET: &str = "Evidence";
/// The columns; a file is named by its file name only (never the tester's local path), a link
/// stands in the Link column. Resuming reads them by position.
const HEADERS: [&str; 12] = [
    "Case",
    "Title",
    "Outcome",
    "#",
    "Kind",
    "Name",
    "Size (bytes)",
    "SHA-256",
    "Picture SHA-256",
    "Link",
    "Added (UTC)",
    "Caption",
];
/// Widths in characters: narrow enough that the sheet prints one landscape page wide at a
/// readable scale (the hashes wrap onto four lines).
const WIDTHS: [f64; 12] = [
    10.0, 30.0, 9.0, 4.0, 11.0, 24.0, 11.0, 18.0, 18.0, 30.0, 22.0, 30.0,
];
/// Pictures up to this side (pixels) and size are embedded as they are, byte for byte.
const KEEP_SIDE: u32 = 1600;
const KEEP_BYTES: usize = 2 * 1024 * 1024;
/// Larger pictures are downscaled to fit this side.
const SCALED_SIDE: u32 = 1600;
/// A downscaled picture larger than this as PNG is embedded as JPEG.
const SCALED_PNG_BYTES: usize = 1024 * 1024;
/// The box a picture is shown in on the sheet (pixels); smaller ones show at their size. It
/// starts in column B and stays inside the printed columns (B to L are about 1,400 pixels), so
/// printed one page wide it is never cut at the page edge; its height stays well within a
/// landscape page at that scale.
const SHOW_WIDTH: f64 = 960.0;
const SHOW_HEIGHT: f64 = 600.0;
/// Excel's default row height in pixels.
const ROW_PIXELS: f64 = 20.0;
const ADDED_FORMAT: &str = "%Y-%m-%d %H:%M:%S UTC";

/// A picture ready to embed.
struct Picture {
    data: Vec<u8>,
    sha256: String,
    width: u32,
    height: u32,
    /// The original's size when it was downscaled.
    scaled_from: Option<(u32, u32)>,
}

impl Picture {
    /// The scale that fits the display box without enlarging.
    fn scale(&self) -> f64 {
        (SHOW_WIDTH / self.width as f64)
            .min(SHOW_HEIGHT / self.height as f64)
            .min(1.0)
    }

    fn rows(&self) -> u32 {
        (self.height as f64 * self.scale() / ROW_PIXELS).ceil() as u32 + 1
    }
}

struct Row<'a> {
    case: usize,
    number: usize,
    entry: &'a Evidence,
    picture: Option<Picture>,
    /// Why an image is not embedded (its copy is missing or cannot be decoded).
    problem: Option<String>,
}

/// Where each case's block starts, and what goes in it; prepared before any sheet is written
/// so the plan sheet can link to the blocks.
pub struct EvidenceLayout<'a> {
    rows: Vec<Row<'a>>,
    /// Zero-based sheet row of each case's block, by case ID.
    pub blocks: BTreeMap<String, u32>,
}

impl<'a> EvidenceLayout<'a> {
    /// Lays out the evidence of `session`; images are read from `folder` (their copies).
    pub fn prepare(plan: &Plan, session: &'a Session, folder: Option<&Path>) -> EvidenceLayout<'a> {
        let mut rows = Vec::new();
        let mut blocks = BTreeMap::new();
        let mut at = 1u32;
        for (case, c) in plan.cases.iter().enumerate() {
            let Some(result) = session.result(&c.id).filter(|r| !r.evidence.is_empty()) else {
                continue;
            };
            blocks.insert(c.id.clone(), at);
            for (number, entry) in result.evidence.iter().enumerate() {
                let (picture, problem) = match (&entry.file, folder) {
                    (Some(file), Some(folder)) if file.kind.is_image() => {
                        match std::fs::read(folder.join(&file.stored)) {
                            Ok(bytes) => match picture(&bytes, file.kind) {
                                Ok(p) => (Some(p), None),
                                Err(e) => (None, Some(format!("not embedded: {e}"))),
                            },
                            Err(e) => (None, Some(format!("copy not found: {e}"))),
                        }
                    }
                    _ => (None, None),
                };
                at += 1 + picture.as_ref().map_or(0, Picture::rows);
                rows.push(Row {
                    case,
                    number: number + 1,
                    entry,
                    picture,
                    problem,
                });
            }
            at += 1;
        }
        EvidenceLayout { rows, blocks }
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Each case's link to its block, for the case row's Evidence cell.
    pub fn links(&self, evidence_sheet: &str) -> BTreeMap<String, String> {
        self.blocks
            .iter()
            .map(|(id, row)| {
                (
                    id.clone(),
                    format!("internal:'{evidence_sheet}'!A{}", row + 1),
                )
            })
            .collect()
    }

    pub(super) fn write(
        &self,
        sheet: &mut Worksheet,
        plan: &Plan,
        session: &Session,
        formats: &Formats,
    ) -> Result<(), XlsxError> {
        for (c, (text, width)) in HEADERS.iter().zip(WIDTHS).enumerate() {
            sheet.write_string_with_format(0, c as u16, *text, &formats.header)?;
            sheet.set_column_width(c as u16, width)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        let body = &formats.body;
        // The case's first row in bold at the body's size, so it is as tall as the others and
        // never overlaps the row above.
        let case_row = &formats.body_bold;
        let mut at = 1u32;
        let mut last_case = None;
        for row in &self.rows {
            if last_case.is_some_and(|c| c != row.case) {
                at += 1;
            }
            last_case = Some(row.case);
            let case = &plan.cases[row.case];
            let outcome = session.outcome(&case.id);
            let entry = row.entry;
            let file = entry.file.as_ref();
            let kind = match file {
                Some(f) => f.kind.label(),
                None if entry.reference.starts_with("http") => "link",
                None => "reference",
            };
            let case_format = if row.number == 1 { case_row } else { body };
            let title = fit_cell(&case.title);
            sheet.write_string_with_format(at, 0, &case.id, case_format)?;
            sheet.write_string_with_format(at, 1, title.as_ref(), case_format)?;
            sheet.write_string_with_format(at, 2, outcome.label(), case_format)?;
            sheet.write_number_with_format(at, 3, row.number as f64, body)?;
            sheet.write_string_with_format(at, 4, kind, body)?;
            let name = entry.name();
            let mut lines = wrapped_lines(&title, WIDTHS[1]);
            if file.is_some() {
                sheet.write_string_with_format(at, 5, fit_cell(&name).as_ref(), body)?;
                lines = lines.max(wrapped_lines(&name, WIDTHS[5]));
            }
            if let Some(f) = file {
                sheet.write_number_with_format(at, 6, f.size as f64, body)?;
                sheet.write_string_with_format(at, 7, &f.sha256, body)?;
                lines = lines.max(wrapped_lines(&f.sha256, WIDTHS[7]));
            }
            if let Some(p) = &row.picture {
                sheet.write_string_with_format(at, 8, &p.sha256, body)?;
            }
            if file.is_none() {
                sheet.write_string_with_format(at, 9, fit_cell(&entry.reference).as_ref(), body)?;
                lines = lines.max(wrapped_lines(&entry.reference, WIDTHS[9]));
            }
            let added = entry.added_at.format(ADDED_FORMAT).to_string();
            sheet.write_string_with_format(at, 10, added, body)?;
            let mut caption = entry.caption.clone();
            if let Some(p) = &row.picture
                && let Some((w, h)) = p.scaled_from
            {
                caption = join(&caption, &format!("picture downscaled from {w}×{h}"));
            }
            if let Some(problem) = &row.problem {
                caption = join(&caption, problem);
            }
            if !caption.is_empty() {
                sheet.write_string_with_format(at, 11, fit_cell(&caption).as_ref(), body)?;
                lines = lines.max(wrapped_lines(&caption, WIDTHS[11]));
            }
            if let Some(height) = row_height(lines) {
                sheet.set_row_height(at, height)?;
            }
            at += 1;
            if let Some(p) = &row.picture {
                let scale = p.scale();
                let image = Image::new_from_buffer(&p.data)?
                    .set_scale_width(scale)
                    .set_scale_height(scale)
                    .set_alt_text(format!(
                        "{} evidence {}: {}",
                        case.id,
                        row.number,
                        entry.name()
                    ));
                sheet.insert_image(at, 1, &image)?;
                at += p.rows();
            }
        }
        page_setup(sheet, 1);
        sheet.set_print_area(0, 0, at.saturating_sub(1).max(1), HEADERS.len() as u16 - 1)?;
        Ok(())
    }
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}; {b}")
    }
}

/// The picture to embed for an image file: as it is when small enough (and a format a
/// spreadsheet shows), else downscaled and re-encoded (JPEG stays JPEG, the rest PNG).
fn picture(bytes: &[u8], kind: EvidenceKind) -> Result<Picture, String> {
    let reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let (width, height) = reader.into_dimensions().map_err(|e| e.to_string())?;
    let shown_as_is = matches!(
        kind,
        EvidenceKind::Png | EvidenceKind::Jpeg | EvidenceKind::Gif
    );
    if shown_as_is && width <= KEEP_SIDE && height <= KEEP_SIDE && bytes.len() <= KEEP_BYTES {
        return Ok(Picture {
            data: bytes.to_vec(),
            sha256: hex(&Sha256::digest(bytes)),
            width,
            height,
            scaled_from: None,
        });
    }
    let decoded = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?
        .decode()
        .map_err(|e| e.to_string())?;
    let small = if width > SCALED_SIDE || height > SCALED_SIDE {
        decoded.thumbnail(SCALED_SIDE, SCALED_SIDE)
    } else {
        decoded
    };
    // Screenshots stay PNG (sharp text); a picture that is still large as PNG is a photo or
    // grainy capture, and JPEG keeps it small.
    let mut data = Vec::new();
    if kind != EvidenceKind::Jpeg {
        small
            .write_to(&mut Cursor::new(&mut data), image::ImageFormat::Png)
            .map_err(|e| e.to_string())?;
    }
    if data.is_empty() || data.len() > SCALED_PNG_BYTES {
        data.clear();
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut data, 85);
        image::DynamicImage::ImageRgb8(small.to_rgb8())
            .write_with_encoder(encoder)
            .map_err(|e| e.to_string())?;
    }
    Ok(Picture {
        sha256: hex(&Sha256::digest(&data)),
        width: small.width(),
        height: small.height(),
        data,
        scaled_from: Some((width, height)),
    })
}

/// What resuming found on the Evidence sheet.
#[derive(Debug, Default)]
pub struct RestoredEvidence {
    /// Entries by case ID, in their order.
    pub cases: BTreeMap<String, Vec<Evidence>>,
    /// Pictures written into the evidence folder.
    pub pictures: usize,
}

/// Reads the Evidence sheet of a completed workbook and writes its pictures into `folder`.
/// `None` when the workbook has no Evidence sheet.
pub fn read_evidence(path: &Path, folder: &Path) -> Option<RestoredEvidence> {
    let mut book = calamine::open_workbook_auto(path).ok()?;
    let name = book
        .sheet_names()
        .into_iter()
        .find(|n| n == EVIDENCE_SHEET || n == "scimplan Evidence")?;
    let range = book.worksheet_range(&name).ok()?;
    let pictures: HashMap<String, Vec<u8>> = book
        .pictures()
        .unwrap_or_default()
        .into_iter()
        .map(|(_, data)| (hex(&Sha256::digest(&data)), data))
        .collect();
    let text = |row: &[Data], col: usize| match row.get(col) {
        Some(Data::String(s)) => s.trim().to_string(),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::Int(i)) => i.to_string(),
        _ => String::new(),
    };
    let number = |row: &[Data], col: usize| match row.get(col) {
        Some(Data::Float(f)) => Some(*f as u64),
        Some(Data::Int(i)) => Some(*i as u64),
        Some(Data::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let mut restored = RestoredEvidence::default();
    for row in range.rows().skip(1) {
        let case = text(row, 0);
        if case.is_empty() || number(row, 3).is_none() {
            continue;
        }
        // A link, else the file's name (earlier exports carried the original path here).
        let reference = Some(text(row, 9))
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| text(row, 5));
        let added_at = NaiveDateTime::parse_from_str(&text(row, 10), ADDED_FORMAT)
            .map(|t| DateTime::<Utc>::from_naive_utc_and_offset(t, Utc))
            .unwrap_or_else(|_| Utc::now());
        let caption = text(row, 11);
        let kind = EvidenceKind::from_label(&text(row, 4));
        let sha256 = text(row, 7);
        let mut file = kind
            .filter(|_| !sha256.is_empty())
            .map(|kind| EvidenceFile {
                stored: format!("{sha256}.{}", kind.extension(Path::new(&reference))),
                kind,
                size: number(row, 6).unwrap_or(0),
                sha256: sha256.clone(),
            });
        let picture_sha = text(row, 8);
        if let (Some(f), Some(data)) = (file.as_mut(), pictures.get(&picture_sha)) {
            if picture_sha != f.sha256 {
                // Only the downscaled picture travelled: it becomes the copy, under its own hash.
                let kind = EvidenceKind::of(data);
                *f = EvidenceFile {
                    stored: format!("{picture_sha}.{}", kind.extension(Path::new("x.png"))),
                    kind,
                    size: data.len() as u64,
                    sha256: picture_sha.clone(),
                };
            }
            if store(folder, &f.stored, data).is_ok() {
                restored.pictures += 1;
            }
        }
        restored.cases.entry(case).or_default().push(Evidence {
            added_at,
            reference,
            caption: strip_notes(&caption),
            file,
        });
    }
    Some(restored)
}

/// The caption as the tester wrote it, without what the export added.
fn strip_notes(caption: &str) -> String {
    caption
        .split("; ")
        .filter(|part| {
            !part.starts_with("picture downscaled from ")
                && !part.starts_with("not embedded: ")
                && !part.starts_with("copy not found: ")
        })
        .collect::<Vec<_>>()
        .join("; ")
}
