//! The readers, one per kind of file; each gives a [`crate::document::Document`].

pub(crate) mod docx;
pub(crate) mod html;
pub(crate) mod pdf;
pub(crate) mod text;
