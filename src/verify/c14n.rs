//! Canonical XML 1.0 (inclusive) and Exclusive XML Canonicalization 1.0,
//! both without comments, over a `roxmltree` document.
//!
//! Enough for the DigiLocker and UIDAI profiles: elements, attributes,
//! namespaces, text, processing instructions; one subtree may be left out
//! (the enveloped `Signature`).

use roxmltree::{Node, NodeId, NodeType};
use std::collections::BTreeMap;

/// Which canonicalisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Canonical XML 1.0 (`http://www.w3.org/TR/2001/REC-xml-c14n-20010315`).
    Inclusive,
    /// Exclusive XML Canonicalization 1.0 (`http://www.w3.org/2001/10/xml-exc-c14n#`).
    Exclusive,
}

/// Namespaces rendered so far: prefix ("" = default) -> URI.
type Rendered<'a> = BTreeMap<&'a str, &'a str>;

/// Raw qualified name of an element, as written in the input.
fn element_qname<'a>(input: &'a str, node: Node) -> &'a str {
    let start = node.range().start + 1;
    let rest = &input[start..];
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(rest.len());
    &rest[..end]
}

fn prefix_of(qname: &str) -> &str {
    qname.split_once(':').map(|(p, _)| p).unwrap_or("")
}

/// The whole document, leaving out `exclude` (and its subtree).
pub(crate) fn document(
    doc: &roxmltree::Document,
    input: &str,
    mode: Mode,
    exclude: Option<NodeId>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let root = doc.root_element();
    let mut seen_root = false;
    for child in doc.root().children() {
        match child.node_type() {
            NodeType::Element => {
                element(input, child, mode, exclude, &Rendered::new(), &mut out);
                seen_root = true;
            }
            NodeType::PI => {
                if seen_root {
                    out.push(b'\n');
                }
                pi(child, &mut out);
                if !seen_root {
                    out.push(b'\n');
                }
            }
            _ => {}
        }
    }
    let _ = root;
    out
}

/// One element and its subtree (a document subset whose apex is `node`).
pub(crate) fn subtree(input: &str, node: Node, mode: Mode) -> Vec<u8> {
    let mut out = Vec::new();
    element(input, node, mode, None, &Rendered::new(), &mut out);
    out
}

fn pi(node: Node, out: &mut Vec<u8>) {
    if let Some(p) = node.pi() {
        out.extend_from_slice(b"<?");
        out.extend_from_slice(p.target.as_bytes());
        if let Some(v) = p.value
            && !v.is_empty()
        {
            out.push(b' ');
            out.extend_from_slice(v.as_bytes());
        }
        out.extend_from_slice(b"?>");
    }
}

fn element<'a>(
    input: &'a str,
    node: Node<'a, 'a>,
    mode: Mode,
    exclude: Option<NodeId>,
    parent: &Rendered<'a>,
    out: &mut Vec<u8>,
) {
    if Some(node.id()) == exclude {
        return;
    }
    let qname = element_qname(input, node);
    // In-scope namespaces ("" for the default; an empty URI = none).
    let in_scope: Rendered<'a> = node
        .namespaces()
        .map(|ns| (ns.name().unwrap_or(""), ns.uri()))
        .collect();
    let mut rendered = parent.clone();
    let mut decls: Vec<(&str, &str)> = Vec::new();
    let mut consider = |prefix: &'a str, rendered: &mut Rendered<'a>| {
        let uri = in_scope.get(prefix).copied().unwrap_or("");
        let before = rendered.get(prefix).copied().unwrap_or("");
        if uri != before {
            if prefix.is_empty() || !uri.is_empty() {
                decls.push((prefix, uri));
            }
            rendered.insert(prefix, uri);
        }
    };
    match mode {
        Mode::Inclusive => {
            for prefix in in_scope.keys() {
                consider(prefix, &mut rendered);
            }
            // A default namespace undeclared here but rendered above.
            if !in_scope.contains_key("") {
                consider("", &mut rendered);
            }
        }
        Mode::Exclusive => {
            let mut used: Vec<&'a str> = vec![prefix_of(qname)];
            for a in node.attributes() {
                let p = prefix_of(&input[a.range_qname()]);
                if !p.is_empty() && p != "xml" {
                    used.push(p);
                }
            }
            used.sort_unstable();
            used.dedup();
            for p in used {
                consider(p, &mut rendered);
            }
        }
    }
    decls.sort_by(|a, b| a.0.cmp(b.0));
    decls.dedup();

    out.push(b'<');
    out.extend_from_slice(qname.as_bytes());
    for (prefix, uri) in &decls {
        if prefix.is_empty() {
            out.extend_from_slice(b" xmlns=\"");
        } else {
            out.extend_from_slice(b" xmlns:");
            out.extend_from_slice(prefix.as_bytes());
            out.extend_from_slice(b"=\"");
        }
        attr_escape(uri, out);
        out.push(b'"');
    }
    let mut attrs: Vec<(&str, &str, &str, &str)> = node
        .attributes()
        .map(|a| {
            (
                a.namespace().unwrap_or(""),
                a.name(),
                &input[a.range_qname()],
                a.value(),
            )
        })
        .collect();
    attrs.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    for (_, _, q, v) in attrs {
        out.push(b' ');
        out.extend_from_slice(q.as_bytes());
        out.extend_from_slice(b"=\"");
        attr_escape(v, out);
        out.push(b'"');
    }
    out.push(b'>');
    for child in node.children() {
        match child.node_type() {
            NodeType::Element => element(input, child, mode, exclude, &rendered, out),
            NodeType::Text => text_escape(child.text().unwrap_or(""), out),
            NodeType::PI => pi(child, out),
            _ => {}
        }
    }
    out.extend_from_slice(b"</");
    out.extend_from_slice(qname.as_bytes());
    out.push(b'>');
}

/// Append `s` with the bytes `esc` maps escaped; runs of other bytes are
/// copied in one go (a photo's base64 is 100 KiB of such a run).
fn escape(s: &str, out: &mut Vec<u8>, esc: fn(u8) -> Option<&'static [u8]>) {
    let b = s.as_bytes();
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        if let Some(rep) = esc(c) {
            out.extend_from_slice(&b[start..i]);
            out.extend_from_slice(rep);
            start = i + 1;
        }
    }
    out.extend_from_slice(&b[start..]);
}

fn text_escape(s: &str, out: &mut Vec<u8>) {
    escape(s, out, |b| match b {
        b'&' => Some(b"&amp;"),
        b'<' => Some(b"&lt;"),
        b'>' => Some(b"&gt;"),
        b'\r' => Some(b"&#xD;"),
        _ => None,
    })
}

fn attr_escape(s: &str, out: &mut Vec<u8>) {
    escape(s, out, |b| match b {
        b'&' => Some(b"&amp;"),
        b'<' => Some(b"&lt;"),
        b'"' => Some(b"&quot;"),
        b'\t' => Some(b"&#x9;"),
        b'\n' => Some(b"&#xA;"),
        b'\r' => Some(b"&#xD;"),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inc(s: &str) -> String {
        let d = roxmltree::Document::parse(s).unwrap();
        String::from_utf8(document(&d, s, Mode::Inclusive, None)).unwrap()
    }

    #[test]
    fn sorts_attributes_and_expands_empty_elements() {
        assert_eq!(
            inc("<?xml version=\"1.0\"?><a z='1' b=\"x&amp;&lt;&quot;\"><b/><!--c--></a>"),
            "<a b=\"x&amp;&lt;&quot;\" z=\"1\"><b></b></a>"
        );
    }

    #[test]
    fn namespaces_rendered_once() {
        assert_eq!(
            inc("<a xmlns='u' xmlns:p='v'><p:b p:x='1'/><c xmlns=''/></a>"),
            "<a xmlns=\"u\" xmlns:p=\"v\"><p:b p:x=\"1\"></p:b><c xmlns=\"\"></c></a>"
        );
    }

    #[test]
    fn exclusive_drops_unused_namespaces() {
        let s = "<r xmlns:q='w'><S xmlns='d'><I>t&gt;</I></S></r>";
        let d = roxmltree::Document::parse(s).unwrap();
        let si = d.descendants().find(|n| n.has_tag_name("S")).unwrap();
        assert_eq!(
            String::from_utf8(subtree(s, si, Mode::Exclusive)).unwrap(),
            "<S xmlns=\"d\"><I>t&gt;</I></S>"
        );
        assert_eq!(
            String::from_utf8(subtree(s, si, Mode::Inclusive)).unwrap(),
            "<S xmlns=\"d\" xmlns:q=\"w\"><I>t&gt;</I></S>"
        );
    }
}
