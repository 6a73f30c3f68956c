//! The proof suite generated from the OpenAPI document (issue 14, §1 second bullet and §2).
//! `spec` reads the document.

mod spec;
