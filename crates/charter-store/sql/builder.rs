//! SQL built piece by piece with its arguments, for searches whose filters vary. Arguments are
//! numbered `$1`, `$2`… in the order they are added, which both databases read the same way.

use sqlx::Arguments;

use crate::backend::Args;

#[derive(Clone)]
pub(crate) enum Arg {
    Text(String),
    Int(i64),
    Bool(bool),
}

#[derive(Default, Clone)]
pub(crate) struct Sql {
    pub(crate) text: String,
    pub(crate) args: Vec<Arg>,
}

impl Sql {
    pub(crate) fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    pub(crate) fn arg(&mut self, a: Arg) -> &mut Self {
        self.args.push(a);
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }

    pub(crate) fn list(&mut self, values: impl IntoIterator<Item = Arg>) -> &mut Self {
        self.text.push('(');
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.arg(v);
        }
        self.text.push(')');
        self
    }

    pub(crate) fn arguments(&self) -> Args {
        let mut a = Args::default();
        for arg in &self.args {
            // Adding a String, i64 or bool to either database's arguments cannot fail.
            let _ = match arg {
                Arg::Text(s) => a.add(s.clone()),
                Arg::Int(n) => a.add(*n),
                Arg::Bool(b) => a.add(*b),
            };
        }
        a
    }
}
