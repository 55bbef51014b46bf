//! `scimplan console PLAN CASE [--system-log] [--open]`: the Admin Console page the case needs,
//! printed (the URL on stdout, for scripts and terminals over SSH) and opened when asked.

use std::path::PathBuf;

use clap::Args;

use super::common::{Common, Failure, unknown_case_message, usage_error};
use super::open::open;

#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// The plan workbook.
    pub plan: PathBuf,
    /// The case ID.
    pub case: String,
    /// The System Log filtered to the case's test user, instead of the steps' page.
    #[arg(long)]
    pub system_log: bool,
    /// Also open the page with the system's browser.
    #[arg(long)]
    pub open: bool,
}

pub fn run(common: &Common, args: ConsoleArgs) -> Result<u8, Failure> {
    let ws = open(&args.plan, common)?;
    let Some(index) = ws.plan.case_index(args.case.trim()) else {
        return Err(usage_error(unknown_case_message(&ws, &args.case)));
    };
    let book = crate::verify::RecipeBook::builtin();
    let page = crate::verify::console::console_page(
        &ws.profile,
        &book,
        ws.session(),
        &ws.plan.cases[index],
        args.system_log,
    )?;
    eprintln!("{}: {}", ws.plan.cases[index].id, page.name);
    println!("{}", page.url);
    if args.open {
        match crate::opener::open_detached(&page.url) {
            Ok(opener) => eprintln!("opening with {opener}"),
            Err(why) => eprintln!("not opened: {why}; the URL is above"),
        }
    }
    Ok(0)
}
