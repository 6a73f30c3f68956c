//! UMBRA: a self-hosted life-management appliance, as a library so tests and benchmarks can
//! build the same server the `umbra` binary runs.

pub mod api;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod dav;
pub mod db;
pub mod domain;
pub mod error;
pub mod files;
pub mod http;
pub mod jobs;
pub mod outbound;
pub mod push;
pub mod server;
pub mod service;
pub mod telemetry;
pub mod tls;
pub mod web;
