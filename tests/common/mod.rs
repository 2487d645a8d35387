//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod sharding;
pub mod small_pinns;
pub mod sp500;
pub mod stiff_pinns;
