//! Content-stream tokens: numbers, names, strings, arrays and operators. Tolerant of missing
//! delimiters and garbage; inline image data (`BI … ID … EI`) is skipped. No allocation for
//! names or operators.

/// One operand of a content-stream operator.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand<'a> {
    Num(f64),
    Name(&'a [u8]),
    Str(Vec<u8>),
    Array(Vec<Operand<'a>>),
    /// Booleans, null, dictionaries and anything else operators here never need.
    Other,
}

/// A token: an operand or an operator keyword.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token<'a> {
    Operand(Operand<'a>),
    Op(&'a [u8]),
}

const MAX_DEPTH: usize = 16;
const MAX_ARRAY: usize = 1 << 16;

pub(crate) struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
}

fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(src: &'a [u8]) -> Self {
        Lexer { src, pos: 0 }
    }

    fn skip_space(&mut self) {
        while let Some(&b) = self.src.get(self.pos) {
            if is_space(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(&b) = self.src.get(self.pos) {
                    if b == b'\n' || b == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// The next token, or `None` at the end.
    pub(crate) fn next_token(&mut self) -> Option<Token<'a>> {
        loop {
            self.skip_space();
            let b = *self.src.get(self.pos)?;
            if let Some(tok) = self.token(b, 0) {
                return Some(tok);
            }
        }
    }

    /// Reads a token starting with `b`; `None` when the bytes were skipped as garbage.
    fn token(&mut self, b: u8, depth: usize) -> Option<Token<'a>> {
        match b {
            b'/' => {
                self.pos += 1;
                let start = self.pos;
                while self
                    .src
                    .get(self.pos)
                    .is_some_and(|&c| !is_space(c) && !is_delim(c))
                {
                    self.pos += 1;
                }
                Some(Token::Operand(Operand::Name(&self.src[start..self.pos])))
            }
            b'(' => Some(Token::Operand(Operand::Str(self.literal()))),
            b'<' if self.src.get(self.pos + 1) == Some(&b'<') => {
                self.skip_dict();
                Some(Token::Operand(Operand::Other))
            }
            b'<' => Some(Token::Operand(Operand::Str(self.hex()))),
            b'[' => {
                self.pos += 1;
                Some(Token::Operand(self.array(depth + 1)))
            }
            b'0'..=b'9' | b'+' | b'-' | b'.' => Some(self.number()),
            _ if is_delim(b) => {
                self.pos += 1;
                None
            }
            _ => {
                let start = self.pos;
                while self
                    .src
                    .get(self.pos)
                    .is_some_and(|&c| !is_space(c) && !is_delim(c))
                {
                    self.pos += 1;
                }
                let word = &self.src[start..self.pos];
                match word {
                    b"true" | b"false" | b"null" => Some(Token::Operand(Operand::Other)),
                    b"ID" => {
                        self.skip_inline_image();
                        Some(Token::Op(b"EI"))
                    }
                    _ => Some(Token::Op(word)),
                }
            }
        }
    }

    fn number(&mut self) -> Token<'a> {
        let start = self.pos;
        let mut end = self.pos;
        let mut seen_dot = false;
        let mut seen_digit = false;
        while let Some(&c) = self.src.get(end) {
            match c {
                b'0'..=b'9' => seen_digit = true,
                b'.' if !seen_dot => seen_dot = true,
                b'+' | b'-' if end == start => {}
                _ => break,
            }
            end += 1;
        }
        self.pos = end.max(start + 1);
        let text = std::str::from_utf8(&self.src[start..end]).unwrap_or("");
        if !seen_digit {
            return Token::Operand(Operand::Num(0.0));
        }
        // Producers write "--5" or "5.-3"; take the longest prefix that parses.
        let v = text
            .parse::<f64>()
            .ok()
            .or_else(|| text.trim_start_matches(['+', '-']).parse().ok());
        Token::Operand(Operand::Num(
            v.filter(|v: &f64| v.is_finite()).unwrap_or(0.0),
        ))
    }

    fn literal(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut depth = 0usize;
        self.pos += 1;
        while let Some(&c) = self.src.get(self.pos) {
            self.pos += 1;
            match c {
                b'(' => {
                    depth += 1;
                    out.push(c);
                }
                b')' => {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                    out.push(c);
                }
                b'\\' => {
                    let Some(&e) = self.src.get(self.pos) else {
                        break;
                    };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.src.get(self.pos) {
                                    Some(&d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push(v as u8);
                        }
                        b'\r' => {
                            if self.src.get(self.pos) == Some(&b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        other => out.push(other),
                    }
                }
                _ => out.push(c),
            }
        }
        out
    }

    fn hex(&mut self) -> Vec<u8> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut half: Option<u8> = None;
        while let Some(&c) = self.src.get(self.pos) {
            self.pos += 1;
            let v = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                b'>' => break,
                _ => continue,
            };
            match half.take() {
                Some(h) => out.push((h << 4) | v),
                None => half = Some(v),
            }
        }
        if let Some(h) = half {
            out.push(h << 4);
        }
        out
    }

    fn skip_dict(&mut self) {
        let mut depth = 0usize;
        while self.pos < self.src.len() {
            if self.src[self.pos..].starts_with(b"<<") {
                depth += 1;
                self.pos += 2;
            } else if self.src[self.pos..].starts_with(b">>") {
                self.pos += 2;
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return;
                }
            } else if self.src[self.pos] == b'(' {
                self.literal();
            } else {
                self.pos += 1;
            }
        }
    }

    fn array(&mut self, depth: usize) -> Operand<'a> {
        let mut items = Vec::new();
        loop {
            self.skip_space();
            let Some(&b) = self.src.get(self.pos) else {
                break;
            };
            if b == b']' {
                self.pos += 1;
                break;
            }
            if depth > MAX_DEPTH {
                self.pos += 1;
                continue;
            }
            match self.token(b, depth) {
                Some(Token::Operand(o)) if items.len() < MAX_ARRAY => items.push(o),
                Some(Token::Operand(_)) => {}
                // An operator inside an array means a missing ']': stop here.
                Some(Token::Op(_)) => break,
                None => {}
            }
        }
        Operand::Array(items)
    }

    /// Skips inline image data after `ID` up to the `EI` that ends it.
    fn skip_inline_image(&mut self) {
        self.pos += 1;
        while self.pos + 1 < self.src.len() {
            if &self.src[self.pos..self.pos + 2] == b"EI"
                && self.pos > 0
                && is_space(self.src[self.pos - 1])
                && self.src.get(self.pos + 2).is_none_or(|&c| is_space(c))
            {
                self.pos += 2;
                return;
            }
            self.pos += 1;
        }
        self.pos = self.src.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(src: &[u8]) -> Vec<Token<'_>> {
        let mut lx = Lexer::new(src);
        std::iter::from_fn(|| lx.next_token()).collect()
    }

    #[test]
    fn lexes_operators_and_operands() {
        let toks = all(b"q\r0.05 0 0 -0.05 81 192.77 Tm<3E7C>Tj [(a\\)b) -250 <00>] TJ /F1 12 Tf");
        assert_eq!(toks[0], Token::Op(b"q"));
        assert_eq!(toks[1], Token::Operand(Operand::Num(0.05)));
        assert_eq!(toks[8], Token::Operand(Operand::Str(vec![0x3e, 0x7c])));
        assert_eq!(toks[9], Token::Op(b"Tj"));
        assert_eq!(
            toks[10],
            Token::Operand(Operand::Array(vec![
                Operand::Str(b"a)b".to_vec()),
                Operand::Num(-250.0),
                Operand::Str(vec![0])
            ]))
        );
        assert_eq!(toks[12], Token::Operand(Operand::Name(b"F1")));
    }

    #[test]
    fn skips_inline_images() {
        let toks = all(b"BI /W 1 /H 1 ID \xff\x00EI\xffx EI Q");
        assert_eq!(toks.last(), Some(&Token::Op(b"Q")));
    }
}
