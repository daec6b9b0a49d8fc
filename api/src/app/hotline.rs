//! Use cases of hotline.
