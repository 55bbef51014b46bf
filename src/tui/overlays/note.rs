//! The note editor (`ratatui-textarea`), and the question it asks when saving finds that the
//! note changed elsewhere while it was open: keep mine, theirs, or both (nothing is replaced
//! unseen).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui_textarea::TextArea;

use crate::session::Command;
use crate::tui::action::Action;
use crate::tui::draw::{Theme, centered, popup, with_hints};
use crate::tui::keymap::Mode;
use crate::tui::model::{Flow, Model, Overlay};

pub struct Note {
    pub case: usize,
    pub textarea: TextArea<'static>,
    /// The note as it was when the editor opened: what another writer may have changed since.
    pub original: String,
    /// Saving found the note changed elsewhere: both versions, until the tester chooses.
    conflict: Option<Conflict>,
}

struct Conflict {
    mine: String,
    theirs: String,
}

impl Note {
    /// Opens the editor on `case`'s note, the cursor at its end.
    pub fn open(m: &mut Model, case: usize) {
        let id = &m.ws.plan.cases[case].id;
        let note =
            m.ws.session()
                .result(id)
                .map(|r| r.note.clone())
                .unwrap_or_default();
        let mut textarea = TextArea::new(note.split('\n').map(str::to_string).collect());
        textarea.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
        textarea.move_cursor(ratatui_textarea::CursorMove::Bottom);
        textarea.move_cursor(ratatui_textarea::CursorMove::End);
        m.push(Note {
            case,
            textarea,
            original: note,
            conflict: None,
        });
    }

    /// The tester must choose between the two notes first.
    pub fn in_conflict(&self) -> bool {
        self.conflict.is_some()
    }

    /// Saves the editor's text, unless another writer changed the note since the editor
    /// opened: then it asks (and stays open).
    fn save(&mut self, m: &mut Model) -> Flow {
        let mine = self.textarea.lines().join("\n").trim_end().to_string();
        let id = m.ws.plan.cases[self.case].id.clone();
        let theirs = m.ws.session().note(&id).to_string();
        if theirs != self.original && mine != theirs && mine != self.original.trim_end() {
            self.conflict = Some(Conflict { mine, theirs });
            return Flow::Stay;
        }
        if theirs != self.original && mine == self.original.trim_end() {
            m.info(format!(
                "Note of {id} unchanged here; it was changed elsewhere meanwhile and that note is kept."
            ));
            return Flow::Close;
        }
        keep_note(m, &id, mine, theirs);
        Flow::Close
    }

    /// The note changed elsewhere while it was edited: keep mine, theirs, or both.
    fn choose(&mut self, m: &mut Model, action: Action) -> Flow {
        let id = m.ws.plan.cases[self.case].id.clone();
        let Some(Conflict { mine, theirs }) = self.conflict.take() else {
            return Flow::Stay;
        };
        match action {
            Action::KeepMine => keep_note(m, &id, mine, theirs),
            Action::KeepTheirs => m.info(format!("Kept the note saved elsewhere for {id}.")),
            Action::KeepBoth => {
                let both = format!("{mine}\n\n--- saved elsewhere meanwhile ---\n{theirs}");
                keep_note(m, &id, both, theirs);
            }
            // Back to the text written here, to go on editing it.
            Action::Cancel => return Flow::Stay,
            _ => {
                self.conflict = Some(Conflict { mine, theirs });
                return Flow::Stay;
            }
        }
        Flow::Close
    }

    fn draw_conflict(&self, conflict: &Conflict, model: &Model, frame: &mut Frame, area: Rect) {
        let theme = Theme::of(model);
        let id = &model.ws.plan.cases[self.case].id;
        let outer = centered(
            area,
            (area.width * 4 / 5).max(40),
            (area.height * 4 / 5).max(10),
        );
        let inner = popup(
            model,
            frame,
            outer,
            format!("{id}: the note changed elsewhere"),
        );
        let body = with_hints(model, frame, inner, Mode::NoteConflict);
        let mut lines = vec![
            Line::from("Another writer saved this case's note while you edited it. Which to keep?"),
            Line::from(""),
            Line::from(Span::styled("Yours (m keeps it):", theme.bold())),
        ];
        lines.extend(conflict.mine.lines().map(|l| Line::from(format!("  {l}"))));
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            "Theirs, saved meanwhile (t keeps it):",
            theme.bold(),
        )));
        lines.extend(
            conflict
                .theirs
                .lines()
                .map(|l| Line::from(Span::styled(format!("  {l}"), theme.dim()))),
        );
        lines.push(Line::from(""));
        lines.push(Line::from(
            "b keeps both, yours first; Esc goes back to your text.",
        ));
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
    }
}

/// Records `note` as the case's note, if it is still `was` when saved (else says why not).
fn keep_note(m: &mut Model, id: &str, note: String, was: String) {
    let effect = m.ws.apply(Command::Note {
        case: id.to_string(),
        note,
        was: Some(was),
    });
    match effect.refused {
        Some(refusal) => m.error(refusal.to_string()),
        None if effect.changed => {
            m.after_change();
            m.info(format!("Note saved for {id}."));
        }
        None => m.info(format!("Note of {id} unchanged.")),
    }
}

impl Overlay for Note {
    fn mode(&self) -> Mode {
        if self.in_conflict() {
            Mode::NoteConflict
        } else {
            Mode::Note
        }
    }

    fn update(&mut self, m: &mut Model, action: Action) -> Flow {
        if self.in_conflict() {
            return self.choose(m, action);
        }
        match action {
            Action::SaveNote => return self.save(m),
            Action::TypeKey(key) => {
                self.textarea.input(key);
            }
            Action::Paste(text) => {
                self.textarea
                    .insert_str(text.replace("\r\n", "\n").replace('\r', "\n"));
            }
            _ => {}
        }
        Flow::Stay
    }

    fn draw(&self, model: &Model, frame: &mut Frame, area: Rect) {
        if let Some(conflict) = &self.conflict {
            return self.draw_conflict(conflict, model, frame, area);
        }
        let id = &model.ws.plan.cases[self.case].id;
        let outer = centered(
            area,
            (area.width * 4 / 5).max(40),
            (area.height * 3 / 5).max(8),
        );
        let inner = popup(model, frame, outer, format!("Note for {id}"));
        let body = with_hints(model, frame, inner, Mode::Note);
        frame.render_widget(&self.textarea, body);
    }
}
