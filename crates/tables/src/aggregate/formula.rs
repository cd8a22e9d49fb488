//! A metric's formula text (`(table3.granted.total + table3.partially_granted.total) /
//! table3.total_processed.total`) → a checked expression tree over template cells. The grammar:
//! `table.row.column` keys as the `cells` table names them, numbers, `+ - * /` (or `+ − × ÷`),
//! unary minus and parentheses, with the usual precedence. Errors name the offending token and
//! its position. Pure; the polars stage (`stage`) evaluates the tree.

use super::cell_defs;

/// A formula, parsed and checked: every key names a template cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Formula {
    /// A number written in the formula.
    Number(f64),
    /// A template cell's value in the report.
    Cell(CellKey),
    /// `-x`.
    Neg(Box<Formula>),
    /// `a op b`.
    Binary(Op, Box<Formula>, Box<Formula>),
}

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `+`
    Add,
    /// `-` or `−`
    Sub,
    /// `*` or `×`
    Mul,
    /// `/` or `÷`: null when the divisor is 0.
    Div,
}

/// A template cell named in a formula: its key and every definition index it has (the same key
/// carries other labels in the other template version, so it may have two).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellKey {
    /// `table.row.column`, e.g. `table3.granted.total`.
    pub key: String,
    /// Indices into [`cell_defs`], ascending.
    pub defs: Vec<u16>,
}

impl CellKey {
    /// The key of `table.row.column`, or `None` when no template cell has it.
    pub fn find(key: &str) -> Option<CellKey> {
        let defs: Vec<u16> = cell_defs()
            .iter()
            .enumerate()
            .filter(|(_, d)| key == format!("{}.{}.{}", d.table, d.row, d.column))
            .filter_map(|(i, _)| u16::try_from(i).ok())
            .collect();
        (!defs.is_empty()).then(|| CellKey {
            key: key.to_string(),
            defs,
        })
    }

    /// Whether the cell holds money (an amount in 万元) rather than a count.
    pub fn is_money(&self) -> bool {
        self.defs
            .iter()
            .any(|&d| super::units::money_column(&cell_defs()[usize::from(d)]).is_some())
    }

    /// For a table 三 total (`table3.<row>.total`): the keys of the row's six applicant
    /// columns, whose sum is the total by identity T3-3.
    pub fn t3_parts(&self) -> Option<Vec<CellKey>> {
        let row = self.key.strip_prefix("table3.")?.strip_suffix(".total")?;
        nianbao_model::template::T3_COLUMNS
            .iter()
            .filter(|(c, _)| *c != "total")
            .map(|(c, _)| CellKey::find(&format!("table3.{row}.{c}")))
            .collect()
    }
}

/// Why a formula does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormulaError {
    /// A key that is no template cell.
    #[error(
        "unknown key `{0}` (keys are table.row.column as the cells table names them, e.g. \
         table3.granted.total; docs/data-dictionary.md lists them all)"
    )]
    UnknownKey(String),
    /// A token the grammar does not allow there.
    #[error("unexpected `{token}` at character {at}")]
    Unexpected {
        /// The token as written.
        token: String,
        /// Its position (1 = the first character).
        at: usize,
    },
    /// The formula ends where an operand or `)` is needed.
    #[error("the formula ends too early (an operand or `)` is missing)")]
    Truncated,
    /// A formula of a count metric that could give a fraction.
    #[error("a count is a whole number: `{0}` is not allowed in a count metric (use unit = \"rate\" or \"number\")")]
    NotACount(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number(f64, String),
    Key(String),
    Op(Op, char),
    Open,
    Close,
}

impl Token {
    fn text(&self) -> String {
        match self {
            Token::Number(_, s) | Token::Key(s) => s.clone(),
            Token::Op(_, c) => c.to_string(),
            Token::Open => "(".into(),
            Token::Close => ")".into(),
        }
    }
}

/// Split a formula into tokens with their 1-based character positions.
fn tokens(text: &str) -> Result<Vec<(Token, usize)>, FormulaError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at = i + 1;
        let single = match c {
            '+' => Some(Token::Op(Op::Add, c)),
            '-' | '−' => Some(Token::Op(Op::Sub, c)),
            '*' | '×' => Some(Token::Op(Op::Mul, c)),
            '/' | '÷' => Some(Token::Op(Op::Div, c)),
            '(' | '（' => Some(Token::Open),
            ')' | '）' => Some(Token::Close),
            _ => None,
        };
        if let Some(t) = single {
            out.push((t, at));
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let word = |pred: fn(char) -> bool, i: &mut usize| -> String {
            let start = *i;
            while *i < chars.len() && pred(chars[*i]) {
                *i += 1;
            }
            chars[start..*i].iter().collect()
        };
        if c.is_ascii_digit() {
            let s = word(|c| c.is_ascii_digit() || c == '.', &mut i);
            let v = s.parse::<f64>().map_err(|_| FormulaError::Unexpected {
                token: s.clone(),
                at,
            })?;
            out.push((Token::Number(v, s), at));
        } else if c.is_ascii_alphabetic() {
            let s = word(
                |c| c.is_ascii_alphanumeric() || c == '_' || c == '.',
                &mut i,
            );
            out.push((Token::Key(s), at));
        } else {
            let s = word(|c| !c.is_whitespace() && !c.is_ascii_alphanumeric(), &mut i);
            return Err(FormulaError::Unexpected { token: s, at });
        }
    }
    Ok(out)
}

/// Recursive descent over the tokens: expr := term (+|- term)*; term := factor (*|/ factor)*;
/// factor := number | key | -factor | ( expr ).
struct Parser {
    tokens: Vec<(Token, usize)>,
    next: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next).map(|(t, _)| t)
    }

    fn unexpected(&self) -> FormulaError {
        match self.tokens.get(self.next) {
            Some((t, at)) => FormulaError::Unexpected {
                token: t.text(),
                at: *at,
            },
            None => FormulaError::Truncated,
        }
    }

    fn expr(&mut self) -> Result<Formula, FormulaError> {
        let mut left = self.term()?;
        while let Some(&Token::Op(op @ (Op::Add | Op::Sub), _)) = self.peek() {
            self.next += 1;
            left = Formula::Binary(op, Box::new(left), Box::new(self.term()?));
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<Formula, FormulaError> {
        let mut left = self.factor()?;
        while let Some(&Token::Op(op @ (Op::Mul | Op::Div), _)) = self.peek() {
            self.next += 1;
            left = Formula::Binary(op, Box::new(left), Box::new(self.factor()?));
        }
        Ok(left)
    }

    fn factor(&mut self) -> Result<Formula, FormulaError> {
        let token = self.peek().cloned().ok_or(FormulaError::Truncated)?;
        match token {
            Token::Number(v, _) => {
                self.next += 1;
                Ok(Formula::Number(v))
            }
            Token::Key(k) => {
                self.next += 1;
                CellKey::find(&k)
                    .map(Formula::Cell)
                    .ok_or(FormulaError::UnknownKey(k))
            }
            Token::Op(Op::Sub, _) => {
                self.next += 1;
                Ok(Formula::Neg(Box::new(self.factor()?)))
            }
            Token::Open => {
                self.next += 1;
                let inner = self.expr()?;
                if self.peek() != Some(&Token::Close) {
                    return Err(self.unexpected());
                }
                self.next += 1;
                Ok(inner)
            }
            Token::Op(..) | Token::Close => Err(self.unexpected()),
        }
    }
}

impl Formula {
    /// Parse and check a formula.
    pub fn parse(text: &str) -> Result<Formula, FormulaError> {
        let mut p = Parser {
            tokens: tokens(text)?,
            next: 0,
        };
        let formula = p.expr()?;
        if p.next < p.tokens.len() {
            return Err(p.unexpected());
        }
        Ok(formula)
    }

    /// Every cell the formula reads, each once, in key order: the metric is null when any is
    /// null (or, for a table 三 total, when it is blank and not derivable by T3-3).
    pub fn operands(&self) -> Vec<CellKey> {
        let mut out = Vec::new();
        self.visit(&mut |f| {
            if let Formula::Cell(k) = f {
                out.push(k.clone());
            }
        });
        out.sort();
        out.dedup();
        out
    }

    fn visit(&self, f: &mut impl FnMut(&Formula)) {
        f(self);
        match self {
            Formula::Neg(x) => x.visit(f),
            Formula::Binary(_, a, b) => {
                a.visit(f);
                b.visit(f);
            }
            Formula::Number(_) | Formula::Cell(_) => {}
        }
    }

    /// Check that the formula gives a whole number from whole numbers: no division, no
    /// fractional number, no money cell (amounts are in 万元 with decimals).
    pub fn check_count(&self) -> Result<(), FormulaError> {
        let mut problem = None;
        self.visit(&mut |f| {
            let bad = match f {
                Formula::Binary(Op::Div, ..) => Some("/".to_string()),
                Formula::Number(v) if v.fract() != 0.0 => Some(v.to_string()),
                Formula::Cell(k) if k.is_money() => Some(k.key.clone()),
                _ => None,
            };
            if problem.is_none() {
                problem = bad;
            }
        });
        problem.map_or(Ok(()), |p| Err(FormulaError::NotACount(p)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Formula {
        Formula::Cell(CellKey::find(k).expect(k))
    }

    #[test]
    fn precedence_and_parentheses() {
        let f = Formula::parse(
            "(table3.granted.total + table3.partially_granted.total) / table3.total_processed.total",
        )
        .expect("parses");
        let want = Formula::Binary(
            Op::Div,
            Box::new(Formula::Binary(
                Op::Add,
                Box::new(key("table3.granted.total")),
                Box::new(key("table3.partially_granted.total")),
            )),
            Box::new(key("table3.total_processed.total")),
        );
        assert_eq!(f, want);
        let f = Formula::parse("1 + 2 × table4.review.total − -3").expect("parses");
        let want = Formula::Binary(
            Op::Sub,
            Box::new(Formula::Binary(
                Op::Add,
                Box::new(Formula::Number(1.0)),
                Box::new(Formula::Binary(
                    Op::Mul,
                    Box::new(Formula::Number(2.0)),
                    Box::new(key("table4.review.total")),
                )),
            )),
            Box::new(Formula::Neg(Box::new(Formula::Number(3.0)))),
        );
        assert_eq!(f, want);
    }

    #[test]
    fn errors_name_the_token() {
        let e = Formula::parse("table3.granted.totl / 2").expect_err("unknown key");
        assert_eq!(e, FormulaError::UnknownKey("table3.granted.totl".into()));
        let e = Formula::parse("table3.granted.total % 2").expect_err("bad char");
        assert_eq!(
            e,
            FormulaError::Unexpected {
                token: "%".into(),
                at: 22
            }
        );
        let e = Formula::parse("(table3.granted.total").expect_err("unclosed");
        assert_eq!(e, FormulaError::Truncated);
        let e = Formula::parse("table3.granted.total table4.review.total").expect_err("two");
        assert!(matches!(e, FormulaError::Unexpected { at: 22, .. }), "{e}");
        let e = Formula::parse("1 + * 2").expect_err("operator");
        assert_eq!(
            e,
            FormulaError::Unexpected {
                token: "*".into(),
                at: 5
            }
        );
        assert_eq!(Formula::parse(""), Err(FormulaError::Truncated));
    }

    #[test]
    fn keys_of_both_template_versions_and_money() {
        let k = CellKey::find("table2.penalty.decisions").expect("a key of both versions");
        assert_eq!(
            k.defs.len(),
            2,
            "本年处理决定数量 (2021) and 处理决定数量 (2019)"
        );
        assert!(CellKey::find("table2.fees.amount_10k_yuan")
            .expect("fees")
            .is_money());
        assert!(!CellKey::find("table3.granted.total").expect("k").is_money());
        let parts = CellKey::find("table3.granted.total")
            .and_then(|k| k.t3_parts())
            .expect("six columns");
        assert_eq!(parts.len(), 6);
        assert_eq!(parts[0].key, "table3.granted.natural_person");
        assert!(CellKey::find("table3.granted.natural_person")
            .and_then(|k| k.t3_parts())
            .is_none());
    }

    #[test]
    fn count_formulas_stay_whole() {
        let ok = Formula::parse("table4.litigation_direct.total + 2 * table4.review.total");
        assert_eq!(ok.expect("parses").check_count(), Ok(()));
        for (text, bad) in [
            ("table4.review.total / 2", "/"),
            ("table4.review.total * 0.5", "0.5"),
            ("table2.fees.amount_10k_yuan", "table2.fees.amount_10k_yuan"),
        ] {
            let f = Formula::parse(text).expect("parses");
            assert_eq!(f.check_count(), Err(FormulaError::NotACount(bad.into())));
        }
    }

    #[test]
    fn operands_are_listed_once() {
        let f = Formula::parse("table4.review.total / (table4.review.total + 1)").expect("ok");
        let ops: Vec<String> = f.operands().into_iter().map(|k| k.key).collect();
        assert_eq!(ops, ["table4.review.total"]);
    }
}
