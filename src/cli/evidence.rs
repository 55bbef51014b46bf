//! `scimplan evidence`: attach files or links to a case, list or remove them, from scripts.

use std::path::PathBuf;

use clap::Args;

use super::common::{Common, Failure, save, unknown_case_message, usage_error};
use super::open::open;
use crate::session::Command;
use crate::session::evidence::{NOT_CARRIED, check, secrets_in_env};

#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// The plan workbook.
    pub plan: PathBuf,
    /// Case ID, e.g. C9290.
    pub case: String,
    /// Files or links to attach.
    #[arg(value_name = "FILE|URL")]
    pub items: Vec<String>,
    /// A caption for what is attached.
    #[arg(long)]
    pub caption: Option<String>,
    /// Remove the entry with this number (as listed); `scimplan undo` or u in the checklist brings it back.
    #[arg(long, value_name = "N", conflicts_with = "items")]
    pub remove: Option<usize>,
}

pub fn run(common: &Common, args: EvidenceArgs) -> Result<u8, Failure> {
    let EvidenceArgs {
        plan,
        case,
        items,
        caption,
        remove,
    } = args;
    let mut ws = open(&plan, common)?;
    let Some(index) = ws.plan.case_index(case.trim()) else {
        return Err(usage_error(unknown_case_message(&ws, &case)));
    };
    let id = ws.plan.cases[index].id.clone();
    let folder = ws.evidence_dir();
    if let Some(number) = remove {
        let count = ws.session().result(&id).map_or(0, |r| r.evidence.len());
        if number == 0 || number > count {
            return Err(usage_error(format!(
                "{id} has {count} evidence entr{}: there is no number {number}. Run `scimplan evidence {} {id}` to list them.",
                if count == 1 { "y" } else { "ies" },
                plan.display()
            )));
        }
        let entry = ws.session().result(&id).expect("counted above").evidence[number - 1].clone();
        let had_file = entry.file.is_some();
        let name = entry.name();
        ws.apply(Command::Detach {
            case: id.clone(),
            evidence: entry,
        });
        save(&mut ws)?;
        let kept = if had_file {
            format!("; its copy stays in {}", folder.display())
        } else {
            String::new()
        };
        println!("{id}: removed evidence {number} ({name}){kept}");
        return Ok(0);
    }
    // Every item is checked before anything is stored: one refusal stores and records none.
    let secrets = secrets_in_env();
    let mut checked = Vec::new();
    for item in &items {
        checked.push(
            check(item, &secrets, caption.as_deref().unwrap_or("")).map_err(usage_error_from)?,
        );
    }
    for item in checked {
        let entry = item.store(&folder).map_err(usage_error_from)?;
        let line = entry.describe();
        let attach = Command::Attach {
            case: id.clone(),
            evidence: entry,
        };
        if ws.apply(attach).changed {
            println!("{id}: attached {line}");
        } else {
            println!("{id}: already attached: {line}");
        }
    }
    if !items.is_empty() {
        save(&mut ws)?;
        return Ok(0);
    }
    let result = ws.session().result(&id);
    let evidence = result.map(|r| r.evidence.as_slice()).unwrap_or(&[]);
    if evidence.is_empty() {
        println!("{id}: no evidence.");
    }
    for (n, entry) in evidence.iter().enumerate() {
        let place = match entry.stored_path(&folder) {
            Some(_) if entry.copy_missing(&folder) => format!("\n   {NOT_CARRIED}"),
            Some(path) => format!("\n   {}", path.display()),
            None => String::new(),
        };
        let hash = entry
            .file
            .as_ref()
            .map(|f| format!("\n   sha256 {}", f.sha256))
            .unwrap_or_default();
        println!("{}. {}{place}{hash}", n + 1, entry.describe());
    }
    Ok(0)
}

fn usage_error_from(err: crate::session::EvidenceError) -> Failure {
    usage_error(err.to_string())
}
