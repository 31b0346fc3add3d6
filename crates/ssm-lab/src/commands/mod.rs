pub mod data;
pub mod list;
pub mod report;
pub mod run;
pub mod validate;
