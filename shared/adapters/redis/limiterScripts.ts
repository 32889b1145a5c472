import { LuaScript } from './luaScript';

/*
 * The whole decision runs in Redis, on Redis's clock, in one round trip.
 *
 * Sliding-window log: a request counts against a window from the moment it is admitted until the
 * latest moment the API may have received it: its release (the response is back), or at most
 * `arrivalBound` after admission (the request has been sent by then). A new request is admitted
 * at time t only if fewer than `requests` logged requests end after t - per. Because the API
 * receives each request between its admission and its logged end, this bounds what the API sees
 * in ANY window of `per` milliseconds, whatever the network delay (docs/rate-limits.md).
 *
 * Fair queuing: a worker that cannot go now takes a ticket (FIFO). A waiter is admitted only if
 * its position in the queue is below the capacity free now, so later arrivals cannot overtake.
 * A waiter that stops coming back (crashed) drops out of the queue after its grace period.
 */

/**
 * KEYS: log, leases, queue, queueExpiry, ticket, pause, slow
 * ARGV: id, leaseMs, concurrency (0 = none), graceMs, arrivalBoundMs, n, requests1, per1, …
 * Returns {1, 0} when admitted, {0, waitMs} otherwise.
 */
export const acquireScript = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local id = ARGV[1]
local lease = tonumber(ARGV[2])
local conc = tonumber(ARGV[3])
local grace = tonumber(ARGV[4])
local bound = math.min(lease, tonumber(ARGV[5]))
local n = tonumber(ARGV[6])
local maxPer = 0
for i = 1, n do
  local per = tonumber(ARGV[6 + 2 * i])
  if per > maxPer then maxPer = per end
end

-- Leases of crashed workers end; waiters that stopped coming back leave the queue.
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local gone = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now, 'LIMIT', 0, 1000)
if #gone > 0 then
  redis.call('ZREM', KEYS[3], unpack(gone))
  redis.call('ZREM', KEYS[4], unpack(gone))
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - maxPer)

local factor = tonumber(redis.call('GET', KEYS[7]) or '1') or 1
local rank = redis.call('ZRANK', KEYS[3], id)
local queued = rank ~= false
if not queued then rank = redis.call('ZCARD', KEYS[3]) end

local wait = 0
local paused = redis.call('PTTL', KEYS[6])
if paused > 0 then wait = paused end

if conc > 0 then
  local inflight = redis.call('ZCARD', KEYS[2])
  local need = inflight - conc + rank + 1
  if need > 0 then
    local w = lease
    if need <= inflight then
      local e = redis.call('ZRANGE', KEYS[2], need - 1, need - 1, 'WITHSCORES')
      w = tonumber(e[2]) - now
    end
    if w > wait then wait = w end
  end
end

for i = 1, n do
  local limit = math.max(1, math.floor(tonumber(ARGV[5 + 2 * i]) * factor))
  local per = tonumber(ARGV[6 + 2 * i])
  local from = string.format('(%.3f', now - per)
  local count = redis.call('ZCOUNT', KEYS[1], from, '+inf')
  local need = count - limit + rank + 1
  if need > 0 then
    local w = per
    if need <= count then
      local e = redis.call('ZRANGEBYSCORE', KEYS[1], from, '+inf', 'WITHSCORES', 'LIMIT', need - 1, 1)
      w = tonumber(e[2]) + per - now
    end
    if w > wait then wait = w end
  end
end

local ttl = math.ceil(2 * maxPer + lease + grace + wait)
if wait <= 0 then
  if queued then
    redis.call('ZREM', KEYS[3], id)
    redis.call('ZREM', KEYS[4], id)
  end
  redis.call('ZADD', KEYS[2], string.format('%.3f', now + lease), id)
  redis.call('ZADD', KEYS[1], string.format('%.3f', now + bound), id)
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
  return {1, 0}
end

if not queued then
  redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[5]), id)
end
redis.call('ZADD', KEYS[4], string.format('%.3f', now + wait + grace), id)
for k = 3, 5 do redis.call('PEXPIRE', KEYS[k], ttl) end
return {0, math.max(1, math.ceil(wait))}
`);

/**
 * KEYS: log, leases   ARGV: id, channel, keyTtlMs
 * Ends a request: frees its slot, moves its end in the log forward to now if the response came
 * back before the arrival bound, then wakes waiters.
 */
export const releaseScript = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
redis.call('ZREM', KEYS[2], ARGV[1])
local ends = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]))
if ends and now < ends then
  redis.call('ZADD', KEYS[1], string.format('%.3f', now), ARGV[1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', ARGV[2], '1')
return 1
`);

/**
 * KEYS: queue, queueExpiry   ARGV: id, channel
 * A waiter gives up (aborted): it leaves the queue so the ones behind it move up.
 */
export const leaveQueueScript = new LuaScript(`
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if removed > 0 then redis.call('PUBLISH', ARGV[2], '1') end
return removed
`);

/**
 * KEYS: pause   ARGV: forMs
 * Pauses the scope for everyone; a longer pause already in place is kept.
 */
export const backOffScript = new LuaScript(`
local ms = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < ms then
  redis.call('SET', KEYS[1], '1', 'PX', ms)
end
return 1
`);

/**
 * KEYS: slow   ARGV: factor, forMs
 * Runs the scope at a fraction of its limits for a while (adaptive mode); the slowest wins.
 */
export const slowDownScript = new LuaScript(`
local current = tonumber(redis.call('GET', KEYS[1]) or '1') or 1
local factor = tonumber(ARGV[1])
if factor <= current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 1
`);

/**
 * KEYS: log   ARGV: keyTtlMs, id1, inMs1, …
 * Adds requests a worker sent on its fallback while Redis was down (ends relative to now), so
 * the first decisions after recovery count them.
 */
export const seedLogScript = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
for i = 2, #ARGV, 2 do
  redis.call('ZADD', KEYS[1], string.format('%.3f', now + tonumber(ARGV[i + 1])), ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`);
