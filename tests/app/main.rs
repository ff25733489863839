//! The one integration-test binary: real PostgreSQL, the real router served on
//! a random port, driven over HTTP.

mod accounts;
mod admin;
mod auth;
mod browser;
mod cluster;
mod crawl;
mod faults;
mod forms;
mod helpers;
mod html;
mod import;
mod mail;
mod reports;
mod restore;
mod review;
mod security;
mod servers;
mod smtp;
mod verify;
mod web;
