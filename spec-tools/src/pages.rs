//! OpenAPI documents embedded in documentation pages.
//!
//! The providers' documentation pages are markdown with the operation's
//! OpenAPI document in a fenced block whose info string starts with `yaml`
//! (the Sandbox pages open it with four backticks followed by
//! `yaml api-reference/kyc/openapi.json GET /path`).
//! Every such block is extracted; each must be a complete OpenAPI document.
//! A fence closes on a line of at least as many backticks and nothing else
//! (CommonMark); an unclosed fence is an error rather than a silent
//! truncation.

use crate::Error;

/// One fenced YAML block of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// 1-based position among the page's YAML blocks.
    pub index: usize,
    /// 1-based line of the opening fence.
    pub line: usize,
    /// The info string after `yaml` (the Sandbox pages put the source file
    /// and the operation there).
    pub info: String,
    /// The block's contents, without the fences.
    pub text: String,
}

/// Whether `text` contains at least one fenced YAML block opening.
pub fn has_yaml_block(text: &str) -> bool {
    text.lines().any(|l| opening(l).is_some())
}

/// `Some((fence length, info after yaml))` when the line opens a YAML block.
fn opening(line: &str) -> Option<(usize, String)> {
    let trimmed = line.trim_start();
    if line.len() - trimmed.len() > 3 {
        return None; // indented code, not a fence
    }
    let ticks = trimmed.chars().take_while(|c| *c == '`').count();
    if ticks < 3 {
        return None;
    }
    let info = trimmed[ticks..].trim();
    let lang = info.split_whitespace().next().unwrap_or("");
    if lang.eq_ignore_ascii_case("yaml") || lang.eq_ignore_ascii_case("yml") {
        Some((ticks, info[lang.len()..].trim().to_string()))
    } else {
        None
    }
}

fn closes(line: &str, ticks: usize) -> bool {
    let t = line.trim();
    t.len() >= ticks && t.chars().all(|c| c == '`')
}

/// Every fenced YAML block of a page, in order. `name` is used in errors.
pub fn extract_blocks(text: &str, name: &str) -> Result<Vec<Block>, Error> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        let Some((ticks, info)) = opening(line) else {
            continue;
        };
        let mut body = String::new();
        let mut closed = false;
        for (_, l) in lines.by_ref() {
            if closes(l, ticks) {
                closed = true;
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        if !closed {
            return Err(Error::invalid(
                name,
                "",
                format!(
                    "the yaml block opened at line {} is never closed (expected a line of {ticks} backticks)",
                    i + 1
                ),
            ));
        }
        blocks.push(Block {
            index: blocks.len() + 1,
            line: i + 1,
            info,
            text: body,
        });
    }
    Ok(blocks)
}
