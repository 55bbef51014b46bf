//! What opens over the checklist, one module per overlay: its state, its keys (`Overlay::update`,
//! through the keymap of its mode), its drawing and its footer hints (that mode's). An overlay
//! changes the session itself when that is all there is to it (a note, a link, the
//! capabilities); what goes further it hands on to the checklist as it closes (`Flow::Then`).

pub mod attach;
pub mod capabilities;
pub mod confirm_replace;
pub mod confirm_suite;
pub mod connection;
pub mod help;
pub mod identity;
pub mod note;
pub mod preconditions;
pub mod prompt;
pub mod search;
pub mod suite_runs;
pub mod summary;
pub mod unsaved;
