//! A small key-value store with expiry for short-lived state: sign-in challenges, one-time codes, rate-limit
//! counters, sessions. Two backends with the same behaviour (the shared tests run against both): the
//! database (default; survives restarts, no set-up) and Redis (`REDIS_URL`), for many nodes.

use std::time::Duration;

use diesel::prelude::*;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::schema::{kv_counters, kv_entries};
use crate::{Db, StorageError, now_millis, with_conn};

#[derive(Clone)]
pub enum Kv {
    Database(Db),
    Redis {
        conn: ConnectionManager,
        /// Prepended to every key, so several portals (or tests) can share one Redis.
        prefix: String,
    },
}

/// Redis calls never wait longer than this; a Redis that is down makes requests fail fast, not hang.
const REDIS_TIMEOUT: Duration = Duration::from_secs(2);

/// INCR plus an expiry set only by the first increment of a window, in one atomic step.
const INCR_SCRIPT: &str = r"
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n";

impl Kv {
    /// A Redis-backed store. It connects lazily and reconnects by itself, so a Redis that is down at start
    /// or later only makes calls (and /readyz) fail until it is back.
    pub fn redis(url: &str, prefix: &str) -> Result<Kv, StorageError> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_TIMEOUT))
            .set_response_timeout(Some(REDIS_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let conn = ConnectionManager::new_lazy_with_config(client, config)?;
        Ok(Kv::Redis {
            conn,
            prefix: prefix.to_owned(),
        })
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Kv::Database(_) => "database",
            Kv::Redis { .. } => "redis",
        }
    }

    /// Stores `value` under `key` for `ttl`, replacing what was there.
    pub async fn put(&self, key: &str, value: &str, ttl: Duration) -> Result<(), StorageError> {
        match self {
            Kv::Database(db) => {
                let (key, value, expires_at) = (key.to_owned(), value.to_owned(), expiry(ttl));
                db.run(move |conn| {
                    with_conn!(conn, |c| diesel::insert_into(kv_entries::table)
                        .values((
                            kv_entries::key.eq(&key),
                            kv_entries::value.eq(&value),
                            kv_entries::expires_at.eq(expires_at)
                        ))
                        .on_conflict(kv_entries::key)
                        .do_update()
                        .set((
                            kv_entries::value.eq(&value),
                            kv_entries::expires_at.eq(expires_at)
                        ))
                        .execute(c))?;
                    Ok(())
                })
                .await
            }
            Kv::Redis { conn, prefix } => {
                let mut cmd = redis::cmd("SET");
                cmd.arg(format!("{prefix}{key}"))
                    .arg(value)
                    .arg("PX")
                    .arg(ttl_millis(ttl));
                redis_call(conn, cmd).await
            }
        }
    }

    /// The value under `key`, unless it is missing or expired.
    pub async fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        match self {
            Kv::Database(db) => {
                let key = key.to_owned();
                db.run(move |conn| {
                    let found = with_conn!(conn, |c| kv_entries::table
                        .filter(kv_entries::key.eq(&key))
                        .filter(kv_entries::expires_at.gt(now_millis()))
                        .select(kv_entries::value)
                        .first::<String>(c)
                        .optional())?;
                    Ok(found)
                })
                .await
            }
            Kv::Redis { conn, prefix } => {
                let mut cmd = redis::cmd("GET");
                cmd.arg(format!("{prefix}{key}"));
                redis_call(conn, cmd).await
            }
        }
    }

    /// The values under `keys`, in their order, in one round trip (missing or expired ones are `None`).
    pub async fn get_many(&self, keys: &[&str]) -> Result<Vec<Option<String>>, StorageError> {
        match self {
            Kv::Database(db) => {
                let wanted: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
                db.run(move |conn| {
                    let found = with_conn!(conn, |c| kv_entries::table
                        .filter(kv_entries::key.eq_any(&wanted))
                        .filter(kv_entries::expires_at.gt(now_millis()))
                        .select((kv_entries::key, kv_entries::value))
                        .load::<(String, String)>(c))?;
                    Ok(wanted
                        .iter()
                        .map(|key| found.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
                        .collect())
                })
                .await
            }
            Kv::Redis { conn, prefix } => {
                let mut cmd = redis::cmd("MGET");
                for key in keys {
                    cmd.arg(format!("{prefix}{key}"));
                }
                redis_call(conn, cmd).await
            }
        }
    }

    /// Removes `key` and returns its value, in one step: of two callers racing for a single-use value
    /// (a challenge, a one-time code), exactly one gets it.
    pub async fn take(&self, key: &str) -> Result<Option<String>, StorageError> {
        match self {
            Kv::Database(db) => {
                let key = key.to_owned();
                db.run(move |conn| {
                    let taken = with_conn!(conn, |c| diesel::delete(
                        kv_entries::table
                            .filter(kv_entries::key.eq(&key))
                            .filter(kv_entries::expires_at.gt(now_millis()))
                    )
                    .returning(kv_entries::value)
                    .get_result::<String>(c)
                    .optional())?;
                    Ok(taken)
                })
                .await
            }
            Kv::Redis { conn, prefix } => {
                let mut cmd = redis::cmd("GETDEL");
                cmd.arg(format!("{prefix}{key}"));
                redis_call(conn, cmd).await
            }
        }
    }

    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self {
            Kv::Database(db) => {
                let key = key.to_owned();
                db.run(move |conn| {
                    with_conn!(conn, |c| diesel::delete(
                        kv_entries::table.filter(kv_entries::key.eq(&key))
                    )
                    .execute(c))?;
                    Ok(())
                })
                .await
            }
            Kv::Redis { conn, prefix } => {
                let mut cmd = redis::cmd("DEL");
                cmd.arg(format!("{prefix}{key}"));
                redis_call::<i64>(conn, cmd).await.map(|_| ())
            }
        }
    }

    /// Adds one to the counter `key` and returns the new count. The window starts at the first increment
    /// and lasts `window`; later increments do not extend it (fixed-window rate limiting). Counters live in
    /// their own keyspace: `incr("k")` and `put("k")` do not meet.
    pub async fn incr(&self, key: &str, window: Duration) -> Result<i64, StorageError> {
        match self {
            Kv::Database(db) => {
                let key = key.to_owned();
                db.run(move |conn| {
                    let now = now_millis();
                    let expires_at = now.saturating_add(ttl_millis(window));
                    let count = with_conn!(conn, |c| c.transaction(|c| {
                        diesel::delete(
                            kv_counters::table
                                .filter(kv_counters::key.eq(&key))
                                .filter(kv_counters::expires_at.le(now)),
                        )
                        .execute(c)?;
                        diesel::insert_into(kv_counters::table)
                            .values((
                                kv_counters::key.eq(&key),
                                kv_counters::count.eq(1_i64),
                                kv_counters::expires_at.eq(expires_at),
                            ))
                            .on_conflict(kv_counters::key)
                            .do_update()
                            .set(kv_counters::count.eq(kv_counters::count + 1_i64))
                            .returning(kv_counters::count)
                            .get_result::<i64>(c)
                    }))?;
                    Ok(count)
                })
                .await
            }
            Kv::Redis { conn, prefix } => {
                let mut cmd = redis::cmd("EVAL");
                cmd.arg(INCR_SCRIPT)
                    .arg(1)
                    .arg(format!("{prefix}counter:{key}"))
                    .arg(ttl_millis(window));
                redis_call(conn, cmd).await
            }
        }
    }

    /// Deletes expired entries; Redis expires keys itself. Returns how many rows went.
    pub async fn purge_expired(&self) -> Result<usize, StorageError> {
        match self {
            Kv::Database(db) => {
                db.run(|conn| {
                    let now = now_millis();
                    let entries = with_conn!(conn, |c| diesel::delete(
                        kv_entries::table.filter(kv_entries::expires_at.le(now))
                    )
                    .execute(c))?;
                    let counters = with_conn!(conn, |c| diesel::delete(
                        kv_counters::table.filter(kv_counters::expires_at.le(now))
                    )
                    .execute(c))?;
                    Ok(entries + counters)
                })
                .await
            }
            Kv::Redis { .. } => Ok(0),
        }
    }

    /// One round trip, bounded by `timeout`: what /readyz asks when Redis is configured.
    pub async fn ping(&self, timeout: Duration) -> Result<(), StorageError> {
        match self {
            Kv::Database(db) => db.ping(timeout).await,
            Kv::Redis { conn, .. } => {
                let mut conn = conn.clone();
                match tokio::time::timeout(
                    timeout,
                    redis::cmd("PING").query_async::<String>(&mut conn),
                )
                .await
                {
                    Ok(answer) => answer.map(|_| ()).map_err(StorageError::from),
                    Err(_) => Err(StorageError::Timeout("redis", timeout)),
                }
            }
        }
    }
}

async fn redis_call<T: redis::FromRedisValue>(
    conn: &ConnectionManager,
    cmd: redis::Cmd,
) -> Result<T, StorageError> {
    let mut conn = conn.clone();
    match tokio::time::timeout(REDIS_TIMEOUT, cmd.query_async::<T>(&mut conn)).await {
        Ok(answer) => answer.map_err(StorageError::from),
        Err(_) => Err(StorageError::Timeout("redis", REDIS_TIMEOUT)),
    }
}

fn ttl_millis(ttl: Duration) -> i64 {
    i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX).max(1)
}

fn expiry(ttl: Duration) -> i64 {
    now_millis().saturating_add(ttl_millis(ttl))
}
