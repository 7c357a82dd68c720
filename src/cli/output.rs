//! `maform output [NAME]`: outputs from the state (`--json`, `--raw`).

use super::{Exit, Workdir};

pub async fn run(
    wd: &Workdir,
    name: Option<String>,
    json: bool,
    raw: bool,
) -> anyhow::Result<Exit> {
    let st = wd.state_backend().await?.read().await?;
    let Some(n) = name else {
        if raw {
            anyhow::bail!("--raw prints one output: name it (maform output --raw NAME)");
        }
        if st.outputs.is_empty() && !json {
            eprintln!("Warning: No outputs found\n  The state has no outputs: the configuration defines none, or nothing was applied yet.");
        }
        if json {
            let m: serde_json::Map<String, serde_json::Value> = st
                .outputs
                .iter()
                // As Terraform prints them: a sensitive value too (it is the user's to see,
                // and scripts read `.NAME.value`); the terminal form hides it.
                .map(|(k, o)| {
                    (
                        k.clone(),
                        serde_json::json!({"sensitive": o.sensitive, "value": o.value.to_json()}),
                    )
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&m)?);
        } else {
            for (k, o) in &st.outputs {
                // As Terraform's: lists and maps one element a line, strings of several
                // lines as heredocs.
                let v = if o.sensitive {
                    "<sensitive>".into()
                } else {
                    o.value.to_console()
                };
                println!("{k} = {v}");
            }
        }
        return Ok(Exit(0));
    };
    let o = st.outputs.get(&n).ok_or_else(|| {
        anyhow::anyhow!("no output {n:?}; run maform apply first, or check the name")
    })?;
    if raw {
        match o.value.to_template_string() {
            // As Terraform's: the value alone, no newline after it (`> file` holds it
            // exactly).
            Some(s) => {
                use std::io::Write;
                let mut out = std::io::stdout();
                out.write_all(s.as_bytes())?;
                out.flush()?;
            }
            None => anyhow::bail!("output {n:?} is not a string, number or bool; use --json"),
        }
    } else if json {
        println!("{}", serde_json::to_string(&o.value.to_json())?);
    } else {
        println!("{}", o.value.to_console());
    }
    Ok(Exit(0))
}
