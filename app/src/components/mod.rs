//! Reusable pieces of the screens.

pub mod connection_status;
pub mod kpi_tile;
