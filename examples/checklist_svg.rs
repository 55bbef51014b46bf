//! Draws the real checklist (the same `view::render` the terminal shows) into ratatui's
//! TestBackend and writes the buffer as an SVG, for the README:
//!
//!     cargo run --example checklist_svg -- docs/checklist.svg
//!
//! The plan is a small demo written here (case IDs as in Okta's plan, our own words), so the
//! picture needs none of Okta's files and comes out the same on every machine.

use std::fmt::Write as _;
use std::path::Path;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use rust_xlsxwriter::Workbook;
use scimplan::plan::OKTA_HEADERS;
use scimplan::tui::{Action, Keymap, Settings, update, view};
use scimplan::workspace::{OpenOptions, Workspace};
use unicode_width::UnicodeWidthStr;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 34;
const CELL_W: f64 = 8.4;
const CELL_H: f64 = 17.0;

const CASES: &[(&str, &str, &str)] = &[
    ("C9296", "Preconditions - SCIM App Setup", "Add People"),
    ("C9297", "Preconditions - SCIM App Setup", "Add Group"),
    (
        "C9298",
        "Preconditions - SCIM App Setup",
        "Set up the SCIM app",
    ),
    (
        "C9306",
        "Precondition - Provisioning and SSO",
        "Enable provisioning features",
    ),
    (
        "C9290",
        "Create Users",
        "Verify App Assignment for New User",
    ),
    (
        "C9293",
        "Create Users",
        "Verify Re-Activation Of User Is Synced",
    ),
    (
        "C9300",
        "Create Users",
        "Verify Un-Suspend User Functionality",
    ),
    (
        "C9307",
        "Create Users",
        "Verify Group Assignment to Target App",
    ),
    ("C9291", "Update Users", "Verify User Attribute Update"),
    (
        "C9309",
        "Update Users",
        "Verify Update For User Group Attributes",
    ),
    ("C9292", "Deactivate Users", "Verify User Deactivation"),
    ("C9294", "Deactivate Users", "Verify User Suspension"),
];

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "docs/checklist.svg".into());
    let dir = tempfile::tempdir().expect("a temporary folder");
    let plan = dir.path().join("okta-scim-test-plan-v2.xlsx");
    write_demo_plan(&plan);
    let options = OpenOptions {
        tester: Some("Ana Tester".into()),
        app_name: Some("Acme Directory".into()),
        ..OpenOptions::default()
    };
    let ws = Workspace::open(&plan, &options).expect("open the demo plan");
    let mut m = scimplan::tui::open(ws, Keymap::default(), Settings::default());
    m.secrets_from_env = false;
    m.color = true;
    update(&mut m, Action::ConfirmCapabilities);
    for action in [
        Action::MarkPass,
        Action::MarkPass,
        Action::MarkPass,
        Action::MarkPass,
    ] {
        update(&mut m, action);
    }
    update(&mut m, Action::ToggleStep);
    update(&mut m, Action::ToggleStep);
    let shot = dir.path().join("assigned-user.png");
    image::RgbImage::from_pixel(320, 200, image::Rgb([230, 236, 245]))
        .save(&shot)
        .expect("write the demo screenshot");
    update(&mut m, Action::AddEvidence);
    update(&mut m, Action::Paste(shot.display().to_string()));
    update(&mut m, Action::Submit);
    update(&mut m, Action::OpenDetail);
    update(
        &mut m,
        Action::Resize {
            width: WIDTH,
            height: HEIGHT,
        },
    );
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("a test terminal");
    terminal
        .draw(|frame| view::render(&m, frame))
        .expect("draw");
    let svg = to_svg(terminal.backend().buffer());
    let out = Path::new(&out);
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).expect("create the output folder");
    }
    std::fs::write(out, svg).expect("write the SVG");
    println!("wrote {}", out.display());
}

fn write_demo_plan(path: &Path) {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, header) in OKTA_HEADERS.iter().enumerate() {
        sheet.write_string(0, c as u16, *header).unwrap();
    }
    for (r, (id, section, title)) in CASES.iter().enumerate() {
        let row = r as u32 + 1;
        let cells = [
            *id,
            *title,
            *section,
            "1. The SCIM app is set up in the test org",
            "1. Sign in to Okta as an admin\n2. Assign the app to a new user\n3. Open the app's user list",
            "The user appears in the app with the attributes Okta sent",
        ];
        for (c, text) in cells.iter().enumerate() {
            sheet.write_string(row, c as u16, *text).unwrap();
        }
    }
    workbook.save(path).unwrap();
}

fn rgb(color: Color, default: &str) -> String {
    match color {
        Color::Reset => default.into(),
        Color::Black => "#1e1e1e".into(),
        Color::Red | Color::LightRed => "#e05561".into(),
        Color::Green | Color::LightGreen => "#5faf5f".into(),
        Color::Yellow | Color::LightYellow => "#d7af5f".into(),
        Color::Blue | Color::LightBlue => "#5f87d7".into(),
        Color::Magenta | Color::LightMagenta => "#af87d7".into(),
        Color::Cyan | Color::LightCyan => "#5fafd7".into(),
        Color::Gray => "#a8a8a8".into(),
        Color::DarkGray => "#6c6c6c".into(),
        Color::White => "#ffffff".into(),
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        Color::Indexed(i) => format!("#{0:02x}{0:02x}{0:02x}", 40 + (i as u32 * 9 % 200)),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One `<rect>` per cell with a background, one `<text>` per run of cells with the same style.
fn to_svg(buffer: &Buffer) -> String {
    let (w, h) = (buffer.area.width, buffer.area.height);
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{:.0}" height="{:.0}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14">"##,
        w as f64 * CELL_W,
        h as f64 * CELL_H
    );
    let _ = writeln!(
        svg,
        r##"<rect width="100%" height="100%" fill="#1e1e1e"/>"##
    );
    for y in 0..h {
        let mut x = 0;
        while x < w {
            let cell = &buffer[(x, y)];
            let (fg, bg) = if cell.modifier.contains(Modifier::REVERSED) {
                (rgb(cell.bg, "#1e1e1e"), rgb(cell.fg, "#d0d0d0"))
            } else {
                (rgb(cell.fg, "#d0d0d0"), rgb(cell.bg, "#1e1e1e"))
            };
            // A run of cells sharing the style.
            let start = x;
            let mut text = String::new();
            while x < w {
                let next = &buffer[(x, y)];
                if next.fg != cell.fg || next.bg != cell.bg || next.modifier != cell.modifier {
                    break;
                }
                let symbol = next.symbol();
                text.push_str(symbol);
                x += symbol.width().max(1) as u16;
            }
            let (px, py) = (start as f64 * CELL_W, y as f64 * CELL_H);
            if bg != "#1e1e1e" {
                let _ = writeln!(
                    svg,
                    r#"<rect x="{px:.1}" y="{py:.1}" width="{:.1}" height="{CELL_H}" fill="{bg}"/>"#,
                    (x - start) as f64 * CELL_W
                );
            }
            if !text.trim().is_empty() {
                let weight = if cell.modifier.contains(Modifier::BOLD) {
                    r#" font-weight="bold""#
                } else {
                    ""
                };
                let _ = writeln!(
                    svg,
                    r#"<text x="{px:.1}" y="{:.1}" fill="{fg}"{weight} xml:space="preserve" textLength="{:.1}" lengthAdjust="spacingAndGlyphs">{}</text>"#,
                    py + CELL_H * 0.78,
                    (x - start) as f64 * CELL_W,
                    escape(&text)
                );
            }
        }
    }
    svg.push_str("</svg>\n");
    svg
}
