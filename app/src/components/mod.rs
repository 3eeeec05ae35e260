//! Reusable pieces of the screens.

pub mod commune_map;
pub mod connection_status;
pub mod kpi_tile;
pub mod money;
pub mod services;
pub mod session_menu;
