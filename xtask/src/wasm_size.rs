//! Where a wasm file's bytes go, for P4: raw, gzip (level 9) and brotli (quality 11) sizes, and
//! the code section split by crate and by function using the name section that rustc and
//! wasm-ld leave in the un-optimised build. Reads only the section headers, the import kinds
//! (to number the functions), the code bodies' lengths and the function names.

use std::collections::BTreeMap;
use std::io::Write as _;

use anyhow::{bail, Context, Result};

/// Sizes of one file as shipped.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

/// Raw, gzip -9 and brotli -q 11 sizes of `bytes`.
pub fn sizes(bytes: &[u8]) -> Result<Sizes> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes)?;
    let gzip = gz.finish()?.len() as u64;
    let mut br = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
        w.write_all(bytes)?;
        w.flush()?;
    }
    Ok(Sizes { raw: bytes.len() as u64, gzip, brotli: br.len() as u64 })
}

/// The code section of a wasm file: total body bytes and each function's (name, bytes).
#[derive(Debug, Default)]
pub struct Code {
    pub total: u64,
    pub functions: Vec<(String, u64)>,
}

impl Code {
    /// Body bytes per crate, largest first.
    pub fn by_crate(&self) -> Vec<(String, u64)> {
        let mut m: BTreeMap<String, u64> = BTreeMap::new();
        for (name, n) in &self.functions {
            *m.entry(crate_of(name)).or_default() += n;
        }
        let mut v: Vec<_> = m.into_iter().collect();
        v.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        v
    }

    /// The largest function bodies.
    pub fn largest(&self, n: usize) -> Vec<(String, u64)> {
        let mut v = self.functions.clone();
        v.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        v.truncate(n);
        v
    }
}

fn leb(b: &[u8], i: &mut usize) -> Result<u64> {
    let (mut out, mut shift) = (0u64, 0u32);
    loop {
        let byte = *b.get(*i).context("wasm: truncated LEB128")?;
        *i += 1;
        out |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(out);
        }
        shift += 7;
        if shift > 63 {
            bail!("wasm: LEB128 too long");
        }
    }
}

fn name<'a>(b: &'a [u8], i: &mut usize) -> Result<&'a str> {
    let n = leb(b, i)? as usize;
    let s = b.get(*i..*i + n).context("wasm: truncated name")?;
    *i += n;
    Ok(std::str::from_utf8(s).unwrap_or("?"))
}

fn limits(b: &[u8], i: &mut usize) -> Result<()> {
    let flags = leb(b, i)?;
    leb(b, i)?;
    if flags & 1 == 1 {
        leb(b, i)?;
    }
    Ok(())
}

/// Reads the code section and the function names of a wasm module.
pub fn code(b: &[u8]) -> Result<Code> {
    if b.get(..4) != Some(b"\0asm") {
        bail!("not a wasm module");
    }
    let mut i = 8;
    let (mut imported, mut bodies, mut names) = (0u64, Vec::new(), BTreeMap::new());
    while i < b.len() {
        let id = b[i];
        i += 1;
        let size = leb(b, &mut i)? as usize;
        let (start, end) = (i, i + size);
        let sec = b.get(start..end).context("wasm: truncated section")?;
        let mut j = 0;
        match id {
            2 => {
                for _ in 0..leb(sec, &mut j)? {
                    name(sec, &mut j)?;
                    name(sec, &mut j)?;
                    let kind = *sec.get(j).context("wasm: import kind")?;
                    j += 1;
                    match kind {
                        0 => {
                            leb(sec, &mut j)?;
                            imported += 1;
                        }
                        1 => {
                            j += 1;
                            limits(sec, &mut j)?;
                        }
                        2 => limits(sec, &mut j)?,
                        3 => j += 2,
                        4 => {
                            j += 1;
                            leb(sec, &mut j)?;
                        }
                        k => bail!("wasm: unknown import kind {k}"),
                    }
                }
            }
            10 => {
                for _ in 0..leb(sec, &mut j)? {
                    let n = leb(sec, &mut j)?;
                    bodies.push(n);
                    j += n as usize;
                }
            }
            0 if name(sec, &mut j)? == "name" => {
                while j < sec.len() {
                    let sub = sec[j];
                    j += 1;
                    let len = leb(sec, &mut j)? as usize;
                    let next = j + len;
                    if sub == 1 {
                        for _ in 0..leb(sec, &mut j)? {
                            let idx = leb(sec, &mut j)?;
                            names.insert(idx, name(sec, &mut j)?.to_owned());
                        }
                    }
                    j = next;
                }
            }
            _ => {}
        }
        i = end;
    }
    let functions: Vec<(String, u64)> = bodies
        .iter()
        .enumerate()
        .map(|(k, n)| {
            let idx = imported + k as u64;
            (names.get(&idx).cloned().unwrap_or_else(|| format!("func[{idx}]")), *n)
        })
        .collect();
    Ok(Code { total: bodies.iter().sum(), functions })
}

/// The crate a (legacy-mangled) Rust symbol belongs to: its first path segment, or for a
/// trait impl `<T as Trait>::f` the crate of `T`. Other symbols are grouped by their name.
pub fn crate_of(symbol: &str) -> String {
    let Some(rest) = symbol.strip_prefix("_ZN") else {
        return if symbol.starts_with("func[") { "(unnamed)".into() } else { symbol.into() };
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let len: usize = digits.parse().unwrap_or(0);
    let seg = rest.get(digits.len()..digits.len() + len).unwrap_or(rest);
    let mut seg = seg.trim_start_matches('_');
    for prefix in ["$LT$", "$RF$", "mut$u20$", "dyn$u20$", "$u5b$", "$LP$"] {
        while let Some(s) = seg.strip_prefix(prefix) {
            seg = s;
        }
    }
    let id: String = seg.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    // `<T as Trait>` on a type parameter: the trait's crate.
    let generic = !id.is_empty() && id.len() <= 2 && id.chars().all(|c| c.is_ascii_uppercase());
    if let Some((_, tr)) = seg.split_once("$u20$as$u20$").filter(|_| generic || id.is_empty()) {
        let t: String = tr.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if !t.is_empty() {
            return t;
        }
    }
    if id.is_empty() {
        "(generic)".into()
    } else {
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_are_grouped_by_crate() {
        assert_eq!(crate_of("_ZN4core3fmt5write17h0123456789abcdefE"), "core");
        assert_eq!(
            crate_of(
                "_ZN63_$LT$alloc..vec..Vec$LT$T$GT$$u20$as$u20$core..clone..Clone$GT$5clone17hE"
            ),
            "alloc"
        );
        assert_eq!(crate_of("_ZN36_$LT$$RF$T$u20$as$u20$core..fmt..Debug$GT$3fmt17hE"), "core");
        assert_eq!(crate_of("__wbindgen_malloc"), "__wbindgen_malloc");
    }

    #[test]
    fn a_module_is_read_to_its_code_bodies() {
        // (module (import "m" "f" (func)) (func) (func nop nop)) with a name section.
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend([1, 4, 1, 0x60, 0, 0]); // one type () -> ()
        m.extend([2, 7, 1, 1, b'm', 1, b'f', 0, 0]); // import func
        m.extend([3, 3, 2, 0, 0]); // two functions
        m.extend([10, 9, 2, 2, 0, 0x0b, 4, 0, 1, 1, 0x0b]); // bodies of 2 and 4 bytes
                                                            // Custom section "name", subsection 1 (function names): one entry, index 2 = "abc".
        let custom = [4, b'n', b'a', b'm', b'e', 1, 6, 1, 2, 3, b'a', b'b', b'c'];
        m.extend([0, custom.len() as u8]);
        m.extend(custom);
        let c = code(&m).unwrap();
        assert_eq!(c.total, 6);
        assert_eq!(c.functions, vec![("func[1]".into(), 2), ("abc".into(), 4)]);
        assert!(code(b"nope").is_err());
    }
}
