pub mod stiff;
