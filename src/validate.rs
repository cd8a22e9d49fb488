//! Report → findings: the consistency rules (勾稽关系) of template.md §4.
