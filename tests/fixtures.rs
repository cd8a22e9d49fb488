//! Self-made test inputs, built in code so that nothing binary needs checking in.

/// A few bytes of an OLE compound file (.doc/.wps): the header magic and padding.
pub fn ole_doc() -> Vec<u8> {
    let mut b = nianbao::parse::sniff::OLE_MAGIC.to_vec();
    b.resize(512, 0);
    b
}
