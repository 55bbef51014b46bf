//! Who is testing and which app: asked once after the capabilities (names given on the command
//! line answer it), and again on T. Shown in the header, the summary, the reports and the
//! completed workbook.

use std::process::{Command, Stdio};

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use tui_input::Input;

use crate::tui::action::Action;
use crate::tui::draw::{Theme, centered, popup, with_hints};
use crate::tui::field::edit_line;
use crate::tui::keymap::Mode;
use crate::tui::model::{Flow, Model, Overlay};

/// The tester's and the app's names being typed.
pub struct Identity {
    pub tester: Input,
    pub app: Input,
    /// The focused field: 0 tester, 1 app.
    pub field: usize,
}

/// A name to propose: git's user.name, else the login name.
pub fn proposed_tester() -> String {
    let from_git = Command::new("git")
        .args(["config", "user.name"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|name| !name.is_empty());
    from_git
        .or_else(|| {
            ["USER", "LOGNAME", "USERNAME"]
                .iter()
                .find_map(|v| std::env::var(v).ok().filter(|n| !n.trim().is_empty()))
        })
        .unwrap_or_default()
}

impl Identity {
    /// Whether opening the checklist asks: once, unless the command line named both.
    pub fn asked_on_open(m: &Model) -> bool {
        let session = m.ws.session();
        !session.identity_asked()
            && !m.ws.named_on_command_line
            && (session.tester().is_none() || session.app_name().is_none())
    }

    /// Opens the question with what is known, the tester's name proposed when there is none.
    pub fn open(m: &mut Model) {
        let session = m.ws.session();
        let tester = session
            .tester()
            .map(str::to_string)
            .unwrap_or_else(proposed_tester);
        let app = session.app_name().map(str::to_string).unwrap_or_default();
        m.push(Identity {
            tester: Input::new(tester),
            app: Input::new(app),
            field: 0,
        });
    }
}

impl Overlay for Identity {
    fn mode(&self) -> Mode {
        Mode::Identity
    }

    fn update(&mut self, m: &mut Model, action: Action) -> Flow {
        match action {
            Action::NextField | Action::PrevField => self.field = 1 - self.field,
            Action::Submit => {
                let named = |input: &Input| {
                    Some(input.value().trim().to_string()).filter(|v| !v.is_empty())
                };
                let (tester, app) = (named(&self.tester), named(&self.app));
                m.ws.apply(crate::session::Command::Identity {
                    tester: Some(tester.clone().unwrap_or_default()),
                    app: Some(app.clone().unwrap_or_default()),
                    asked: true,
                });
                m.info(format!(
                    "Tester: {} · App: {} (shown in the header, the summary, the reports and the workbook).",
                    tester.as_deref().unwrap_or("-"),
                    app.as_deref().unwrap_or("-")
                ));
                return Flow::Close;
            }
            Action::Cancel => {
                m.ws.apply(crate::session::Command::Identity {
                    tester: None,
                    app: None,
                    asked: true,
                });
                let key = m.keymap.keys_for(Mode::Normal, &Action::WhoIsTesting);
                m.info(format!("Names unchanged: {key} sets them any time."));
                return Flow::Close;
            }
            other => {
                let field = if self.field == 0 {
                    &mut self.tester
                } else {
                    &mut self.app
                };
                edit_line(field, &other);
            }
        }
        Flow::Stay
    }

    fn draw(&self, model: &Model, frame: &mut Frame, area: Rect) {
        let theme = Theme::of(model);
        let outer = centered(area, 70, 9);
        let inner = popup(model, frame, outer, "Who is testing?".into());
        let body = with_hints(model, frame, inner, Mode::Identity);
        let label_width = 9;
        let intro = Line::from(Span::styled(
            "Shown in the header, the summary, the reports and the completed workbook.",
            theme.dim(),
        ));
        frame.render_widget(
            Paragraph::new(intro).wrap(Wrap { trim: true }),
            Rect { height: 2, ..body },
        );
        for (i, (label, input)) in [("Tester", &self.tester), ("App", &self.app)]
            .into_iter()
            .enumerate()
        {
            let y = body.y + 3 + i as u16;
            if y >= body.bottom() {
                break;
            }
            let row = Rect {
                y,
                height: 1,
                ..body
            };
            let focused = self.field == i;
            let field_width = row.width.saturating_sub(label_width).max(1) as usize;
            let scroll = input.visual_scroll(field_width.saturating_sub(1));
            let label_style = if focused { theme.accent() } else { theme.dim() };
            let line = Line::from(vec![
                Span::styled(format!("{label:<8} "), label_style),
                Span::styled(
                    input.value().chars().skip(scroll).collect::<String>(),
                    theme.bold(),
                ),
            ]);
            frame.render_widget(Paragraph::new(line), row);
            if focused {
                let x = row.x + label_width + (input.visual_cursor().saturating_sub(scroll)) as u16;
                frame.set_cursor_position((x.min(row.right().saturating_sub(1)), row.y));
            }
        }
    }
}
