pub mod output;
pub mod stiff;
