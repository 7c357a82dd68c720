//! `maform console`: expressions typed at a terminal or piped in, evaluated against the
//! configuration and the state, as `terraform console` does.

use super::{Exit, LockArgs, VarArgs, Workdir};
use crate::ops::console::Console;
use std::io::{BufRead, IsTerminal, Write};

pub async fn run(wd: &Workdir, vars: &VarArgs, lock: &LockArgs) -> anyhow::Result<Exit> {
    // As Terraform's console: a required variable without a value is not asked for; it
    // is unknown.
    let inputs = crate::config::vars::Inputs {
        unknown_if_missing: true,
        ..vars.inputs_without_prompt()
    };
    let console = Console::open(wd, &inputs, lock.locking(), &super::stderr).await?;
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    let mut last = None;
    let mut lines = stdin.lock().lines();
    let mut n = 0;
    loop {
        if terminal {
            print!("> ");
            std::io::stdout().flush()?;
        }
        let Some(line) = lines.next() else { break };
        let line = line?;
        n += 1;
        let text = line.trim();
        if text == "exit" {
            break;
        }
        let result = if text.is_empty() {
            Ok(String::new())
        } else {
            console.eval(text, n)
        };
        match result {
            Ok(r) if terminal => println!("{r}"),
            // Piped, as Terraform: only the last result is printed.
            Ok(r) => last = Some(r),
            Err(d) => {
                eprintln!("{}", crate::redact::scrub(&format!("Error: {d}")));
                // Piped, the first error ends the run (exit 1); at a terminal, the next
                // expression is asked for.
                if !terminal {
                    return Ok(Exit(1));
                }
            }
        }
    }
    if let Some(r) = last {
        println!("{r}");
    }
    Ok(Exit(0))
}
