//! The command line of the bench binaries (`kindred-bench`, `kindred-sync-bench`,
//! `kindred-gui-bench`): one benchmark name and `--flag value` pairs, parsed in one place so
//! every binary refuses an unknown flag, a missing value or a bad number the same way.

use std::path::PathBuf;

/// A bench binary's arguments; each binary starts from its own defaults.
#[derive(Debug, Clone)]
pub struct BenchArgs {
    /// The benchmark to run (`p1`, `p6`, …), lower case.
    pub bench: String,
    /// Rows in the data set (`--rows`).
    pub rows: usize,
    /// Samples per side (`--runs`).
    pub runs: usize,
    /// Seed of the generated data (`--seed`).
    pub seed: u64,
    /// Where the JSON result goes (`--out`).
    pub out: PathBuf,
    /// A folder for data sets kept between runs (`--cache`).
    pub cache: PathBuf,
    /// A PostgreSQL admin URL (`--pg`), when the benchmark also runs on PostgreSQL.
    pub pg: Option<String>,
    /// The baseline app's binary (`--hello`).
    pub hello: PathBuf,
}

impl BenchArgs {
    /// Defaults: 15 runs, seed 42, the given rows and output file, the temp folder as cache.
    pub fn defaults(rows: usize, out: &str) -> Self {
        Self {
            bench: String::new(),
            rows,
            runs: 15,
            seed: 42,
            out: out.into(),
            cache: std::env::temp_dir(),
            pg: None,
            hello: PathBuf::new(),
        }
    }

    /// Parses `args` (without the program name) over `self`, taking only the flags in `allowed`
    /// (e.g. `["--rows", "--runs"]`).
    pub fn parse(
        mut self,
        args: impl IntoIterator<Item = String>,
        allowed: &[&str],
    ) -> Result<Self, String> {
        let mut it = args.into_iter();
        while let Some(k) = it.next() {
            if !k.starts_with("--") {
                if !self.bench.is_empty() {
                    return Err(format!("one benchmark at a time: {} and {k}", self.bench));
                }
                self.bench = k.to_ascii_lowercase();
                continue;
            }
            if !allowed.contains(&k.as_str()) {
                return Err(format!("unknown flag {k}"));
            }
            let v = it.next().ok_or_else(|| format!("{k} needs a value"))?;
            let num = |v: &str| v.parse::<u64>().map_err(|e| format!("{k} {v}: {e}"));
            match k.as_str() {
                "--rows" => self.rows = num(&v)? as usize,
                "--runs" => self.runs = num(&v)? as usize,
                "--seed" => self.seed = num(&v)?,
                "--out" => self.out = v.into(),
                "--cache" => self.cache = v.into(),
                "--pg" => self.pg = Some(v),
                "--hello" => self.hello = v.into(),
                _ => return Err(format!("unknown flag {k}")),
            }
        }
        if self.runs == 0 || self.rows == 0 {
            return Err("--runs and --rows must be above zero".into());
        }
        Ok(self)
    }

    /// [`BenchArgs::parse`] of the process's arguments; prints `usage` and exits 2 on an error.
    pub fn from_env(self, allowed: &[&str], usage: &str) -> Self {
        self.parse(std::env::args().skip(1), allowed).unwrap_or_else(|e| {
            eprintln!("{e}\nusage: {usage}");
            std::process::exit(2)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<BenchArgs, String> {
        BenchArgs::defaults(10, "x.json")
            .parse(args.iter().map(|s| s.to_string()), &["--rows", "--runs", "--seed", "--pg"])
    }

    #[test]
    fn reads_the_benchmark_and_flags() {
        let a = parse(&["P6", "--rows", "500", "--pg", "postgres://h/db", "--seed", "7"]).unwrap();
        assert_eq!((a.bench.as_str(), a.rows, a.runs, a.seed), ("p6", 500, 15, 7));
        assert_eq!(a.pg.as_deref(), Some("postgres://h/db"));
    }

    #[test]
    fn refuses_bad_input_clearly() {
        assert_eq!(parse(&["p6", "--rows"]).unwrap_err(), "--rows needs a value");
        assert_eq!(parse(&["p6", "--out", "f"]).unwrap_err(), "unknown flag --out");
        assert!(parse(&["p6", "--runs", "many"]).unwrap_err().starts_with("--runs many:"));
        assert!(parse(&["p6", "--runs", "0"]).is_err());
        assert!(parse(&["p6", "p7"]).is_err());
    }
}
