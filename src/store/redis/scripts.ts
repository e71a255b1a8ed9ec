/**
 * The Redis backend's Lua scripts. Each runs atomically on the server, so the nodes sharing
 * one Redis never see half a change: a segment's add and its message's completion are one step,
 * and the node whose add completes a message is the only one it is handed to.
 *
 * Keys (P is the prefix, default `wappush:`; MK a message key, see keys.ts):
 *   P m:MK        hash: o originator, f first seen, t total, n received, b octets, st state
 *                 (open | claimed | released), cl claimer node, ca claimed at, h handovers,
 *                 and "1".."t" the segments' octets; nr 1 once a sweep handed it over (no
 *                 SMSC resend is to be waited for: the sweep hands it out again when
 *                 released), rn how many times a sweep handed it out again once released,
 *                 ra released at (the backoff counts from the later of ca and ra)
 *                 (fields older versions neither write nor read)
 *   P order       zset MK -> first seen, open messages (expiry, eviction)
 *   P o:ORIG      zset MK -> first seen, one originator's open messages
 *   P load        zset ORIG -> open messages it holds ("the originator holding the most")
 *   P bytes       octets held by open messages
 *   P claims      zset MK -> claimed at, complete messages (claimed or released)
 *   P f:MK        the SHA-1s (40 hex digits each, in sequence order) of a completed message's
 *                 segments, expires after timeoutMs (late duplicates)
 *   P l:ID:CALL   the loss reports of node ID's script call CALL, comma-joined JSON objects,
 *                 for a reply that may be lost (deleted once read; expire after LOSS_REPORT_TTL_MS)
 *   P u:HASH      a duplicate memory, expires after its window
 *   P node:ID     a live node, expires after nodeTtlMs unless renewed
 *   P reg, P reg:v  records (registrations) by id, and their version; channel P reg:changed
 *   P q:NAME      a stream per queue, consumer group `wappush`; P queues the set of names
 */

/**
 * How long the loss reports of a script call are kept in Redis (P l:NODE:CALL) for a reply that
 * may not arrive: the node deletes them once it has read the reply; if the reply is lost (the
 * connection died, commandTimeoutMs), its next sweep reads them (redis/carried.ts). A node cut
 * off from Redis for longer than this loses those reports (the drops themselves stand).
 */
export const LOSS_REPORT_TTL_MS = 3_600_000;

/**
 * When a sweep hands a released message out again by itself (SWEEP, below): a message a sweep
 * handed over (a lapsed claim) may have had its completing segment answered ESME_ROK already,
 * by the node that died (docs/state.md, "The bearer on the store"), so no SMSC resend is sure
 * to come and take it again once a handler fails. The n-th time it is handed out again (n from
 * 1) comes no sooner than min(REDELIVERY_FIRST_MS x 2^(n-1), REDELIVERY_MAX_MS) after the try
 * before it failed: after the later of when that try began (ca) and when it was released (ra,
 * so a handler that fails only after the wait is not handed out again at the very next sweep):
 * 1, 2, 4, 8, 16, 30, 30 ... s, until it is delivered (finished) or its timeoutMs passes (then
 * dropped, reported 'expired' with handlerFailed). A release by an older version writes no ra:
 * then ca counts (max: an ra left by an earlier release is older than the claim after it).
 */
export const REDELIVERY_FIRST_MS = 1_000;
export const REDELIVERY_MAX_MS = 30_000;

/** The wait before the n-th redelivery (n from 1), as SWEEP computes it. */
export function redeliveryDelay(n: number): number {
  return Math.min(REDELIVERY_FIRST_MS * 2 ** (n - 1), REDELIVERY_MAX_MS);
}

/** Shared helpers, put in front of the scripts that drop or claim messages. */
const COMMON = `
local P = ARGV[1]
local M = P .. 'm:'
local lost = {}

-- Keeps a call's loss reports (JSON objects, comma-joined) under its id, for a lost reply. A
-- pcall: a write refused (maxmemory) must not turn a call that did its work into a failure.
local function keep_lost(me, call, reports)
  if #reports == 0 or not call or call == '' then return end
  redis.pcall('SET', P .. 'l:' .. me .. ':' .. call, table.concat(reports, ','), 'PX', ${LOSS_REPORT_TTL_MS})
end

-- Counts read in this run (P bytes, ZCARD of P order and P o:ORIG), until a write changes them.
local counts = {}

-- One open message fewer for originator o; at 0 it leaves P load (none held, none counted).
-- P load counts the members of P o:ORIG: it moves only when a ZADD adds one or a ZREM takes
-- one off (an entry left by a failed write may be there already, or gone).
local function unload(o, call)
  if tonumber(call('ZINCRBY', P .. 'load', -1, o)) <= 0 then call('ZREM', P .. 'load', o) end
end

-- The octets first: a write after them that fails leaves only index entries without a hash,
-- which the sweep and the bounds take off (unlink_stale); octets P bytes kept counting would
-- shrink the octets bound for ever.
local function unlink_open(mk, o, bytes)
  counts = {}
  redis.call('DECRBY', P .. 'bytes', bytes)
  redis.call('ZREM', P .. 'order', mk)
  if redis.call('ZREM', P .. 'o:' .. o, mk) == 1 then unload(o, redis.call) end
end

-- The originator a message key names, as Redis holds it; nil if the key is not a message key.
-- cjson refuses the escape of a lone surrogate, which JSON.stringify writes and an older
-- version let into a key; the originator then reached Redis as UTF-8, U+FFFD in its place. So
-- when the key does not decode, such an escape is read as U+FFFD (a surrogate pair is kept).
local BS = string.char(92)
local PAIR = '^' .. BS .. 'u[dD][89abAB]%x%x' .. BS .. 'u[dD][c-fC-F]%x%x'
local LONE = '^' .. BS .. 'u[dD][89a-fA-F]%x%x'
local function originator_of(mk)
  local ok, id = pcall(cjson.decode, mk)
  if not ok then
    local out, i = {}, 1
    while true do
      local j = string.find(mk, BS, i, true)
      if not j then break end
      out[#out + 1] = string.sub(mk, i, j - 1)
      if string.find(mk, PAIR, j) then
        out[#out + 1], i = string.sub(mk, j, j + 11), j + 12
      elseif string.find(mk, LONE, j) then
        out[#out + 1], i = BS .. 'ufffd', j + 6
      else
        out[#out + 1], i = string.sub(mk, j, j + 1), j + 2
      end
    end
    out[#out + 1] = string.sub(mk, i)
    ok, id = pcall(cjson.decode, table.concat(out))
  end
  if ok and type(id) == 'table' and type(id[1]) == 'string' then return id[1] end
  return nil
end

-- An index entry whose message has no hash (a failed write left it): nothing is held, so it
-- goes from the indexes without a loss report. orig: the originator whose P o:ORIG it was found
-- in, when known; else the one the key names. Counted in P load only while in P o:ORIG.
local function unlink_index(mk, orig)
  counts = {}
  redis.call('ZREM', P .. 'order', mk)
  if not orig then orig = originator_of(mk) end
  if orig and redis.call('ZREM', P .. 'o:' .. orig, mk) == 1 then unload(orig, redis.call) end
end

local function unlink_stale(mk, orig)
  unlink_index(mk, orig)
  redis.call('ZREM', P .. 'claims', mk)
end

-- Runs fn, the writes of a new or growing message (indexes and counts first, its hash last); if
-- one fails, what the record says was done is undone before the error goes on, so no index
-- names a message that has no hash, and P bytes counts only octets some hash holds.
-- done: z (in P order), o (in P o:ORIG: not set when the ZADD to P order failed, so a counted
-- entry left there earlier stays, still counted), l (P load counts what P o:ORIG holds: the
-- ZINCRBY after an add went through, or the entry was there already), b (octets added to P bytes).
local function undoing(mk, orig, fn)
  local done = {}
  local ok, err = pcall(fn, done)
  if ok then return err end
  counts = {}
  if done.z and redis.call('EXISTS', M .. mk) == 0 then
    redis.pcall('ZREM', P .. 'order', mk)
    if done.o and redis.pcall('ZREM', P .. 'o:' .. orig, mk) == 1 and done.l then pcall(unload, orig, redis.pcall) end
  end
  if done.b then redis.pcall('DECRBY', P .. 'bytes', done.b) end
  error(err)
end

-- orig: the originator whose P o:ORIG mk was found in, if it was (an entry without a hash).
-- indexed: mk was found in P order or P o:ORIG; a complete message still there (a completion
-- that failed part way) only leaves those indexes: P claims hands it over, it is not lost.
local function drop(mk, reason, bound, orig, indexed)
  local key = M .. mk
  local f = redis.call('HMGET', key, 'o', 'f', 'b', 'st')
  if not f[4] then return unlink_stale(mk, orig) end
  -- The hash names the originator: the key is not decoded (cjson cannot read every key).
  if indexed and f[4] ~= 'open' then return unlink_index(mk, orig or f[1]) end
  local rec = {}
  for _, field in ipairs(redis.call('HKEYS', key)) do
    local n = tonumber(field)
    if n then rec[#rec + 1] = n end
  end
  table.sort(rec)
  redis.call('DEL', key)
  -- Reported once the segments are gone, even if what follows fails: the report goes out
  -- with the step's error (redis/turn.ts carries it to the next sweep).
  local report = { k = mk, r = reason, w = bound or '', s = table.concat(rec, ','), b = f[3], f = f[2] }
  -- Complete and released: its handler failed (or its holder closed) on every try.
  if f[4] == 'released' then report.hf = 1 end
  lost[#lost + 1] = cjson.encode(report)
  if f[4] == 'open' then unlink_open(mk, f[1], tonumber(f[3])) else redis.call('ZREM', P .. 'claims', mk) end
end

-- What was dropped, as a JSON list; '' when nothing was (most replies: no parse).
local function lost_json()
  if #lost == 0 then return '' end
  return '[' .. table.concat(lost, ',') .. ']'
end

-- A claim holds while younger than claimTimeout and its node lives. This node's own claim holds
-- only when the caller knows of it (own): otherwise the reply that made it was lost.
local function claim_holds(key, now, me, own, claimTimeout)
  local v = redis.call('HMGET', key, 'cl', 'ca')
  if tonumber(v[2]) <= now - claimTimeout then return false end
  if v[1] == me then return own end
  return redis.call('EXISTS', P .. 'node:' .. v[1]) == 1
end

-- The hash fields of a message's parts, "1".."total", made once a script run.
local part_fields = {}
local function parts_of(total)
  local f = part_fields[total]
  if not f then
    f = {}
    for i = 1, total do f[i] = tostring(i) end
    part_fields[total] = f
  end
  return f
end

-- Claims a complete message for me; returns { first seen, octets, handovers, part1, ..., partN }.
local function claim(mk, now, me)
  local key = M .. mk
  local v = redis.call('HMGET', key, 'f', 'b', 'h', 't')
  local h = tonumber(v[3]) + 1
  redis.call('HSET', key, 'st', 'claimed', 'cl', me, 'ca', now, 'h', h)
  redis.call('ZADD', P .. 'claims', now, mk)
  local out = { v[1], v[2], h }
  for _, part in ipairs(redis.call('HMGET', key, unpack(parts_of(tonumber(v[4]))))) do out[#out + 1] = part end
  return out
end
`;

/**
 * One call for what a node asked during one turn of its event loop (redis/turn.ts): segment
 * adds, finishes and releases, run one after another in the order asked. The script as a whole
 * is atomic, so each step is, as when each was a call of its own: a message still completes on
 * exactly one node. A step that fails (a Redis error) answers { 'error', message, lost } and
 * the others go on: what it dropped before it failed stays dropped, so its report goes back.
 * When writing the fresh messages fails (below), the call answers { 'broken', message, lost }
 * instead of a list of replies: no step is answered, and every drop of the call is reported.
 *
 * ARGV: prefix, now, timeoutMs, me, maxPendingMessages, maxPendingBytes,
 * maxPendingPerOriginator, claimTimeoutMs, the steps packed in one string, then this call's id
 * (its loss reports are kept under it, P l:ME:ID, for LOSS_REPORT_TTL_MS, in case the reply is
 * lost). The steps, each a letter and its fields (big-endian; a string is its u16 length, then
 * its octets):
 *   'a' MK originator u8 sequence, u8 total, u8 own (0/1), data   a segment's add
 *   'f' MK u8 total                                                finish: delivered, forgotten
 *   'r' MK u32 handovers                                           release: the handler failed
 * Returns one reply a step. An add: the usual outcomes, held or a duplicate with nothing lost,
 * as a number (received, > 0; 0 a duplicate; -1 a late duplicate), read without a list; any
 * other as { status, lost, ... }: held -> received; duplicate -> 1 if late; complete -> first
 * seen, octets, handovers, parts. Finish and release: 1, or 0 when there was nothing to do. A
 * release frees only the claim of the handover its delivery was given: a stale one (that
 * delivery's claim lapsed and was handed out again, even to this node) answers 0 and leaves the
 * newer claim, whose delivery may still be running, as it is. It writes ra, its time.
 * A step that cannot be read (a packing mistake) answers { 'error', message, '' } and is the
 * last reply: the steps after it are not run, so the call answers fewer replies than steps.
 *
 * A message that is new in this call is kept in the script's memory (fresh) until it completes
 * or the call ends: a window's message usually arrives whole within one call, and is then
 * written once, claimed, rather than opened, grown and unlinked again (7 index writes and 3
 * reads saved a message). What is written is what the steps one by one would have written:
 * whenever a bound could be reached (messages, bytes, per originator), and before any step
 * that reads the indexes, the fresh messages are written out first (materialize), so a limit
 * sees them as it would have. Nothing outside this call can see the difference: the script is
 * atomic, and ends with every fresh message written.
 */
export const TURN = `${COMMON}
local now_s, timeout, me = ARGV[2], tonumber(ARGV[3]), ARGV[4]
local now = tonumber(now_s)
local maxMsgs, maxBytes, maxPerOrig, claimTimeout = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local deadline = now - timeout

-- A new open message's index entries, and its originator counted in P load if its entry is new.
local function open_indexes(mk, o, done)
  done.z = true
  redis.call('ZADD', P .. 'order', now_s, mk)
  done.o = true
  if redis.call('ZADD', P .. 'o:' .. o, now_s, mk) == 1 then redis.call('ZINCRBY', P .. 'load', 1, o) end
  done.l = true
end

-- Messages new in this call, not yet written: MK -> { o, t, n, b, p = parts by sequence }.
local fresh, fresh_keys = {}, {}
local v_msgs, v_bytes, v_orig = 0, 0, {}
-- A write of fresh messages failed part way: the call fails as a whole (none answered).
local broken = nil

-- Writes the fresh messages as open ones, as their steps one by one would have: the indexes
-- and counts first, the hash last (as add does), so that a write that fails leaves no hash
-- outside the indexes (never expired) nor one whose octets P bytes never counted.
local function materialize()
  if v_msgs == 0 then return end
  local ok, err = pcall(function()
    for _, mk in ipairs(fresh_keys) do
      local m = fresh[mk]
      if m then
        fresh[mk] = nil
        local fields = { M .. mk, 'o', m.o, 'f', now_s, 't', m.t, 'st', 'open', 'h', 0, 'n', m.n, 'b', m.b }
        local names = parts_of(m.t)
        for s, d in pairs(m.p) do
          fields[#fields + 1] = names[s]
          fields[#fields + 1] = d
        end
        undoing(mk, m.o, function(done)
          open_indexes(mk, m.o, done)
          redis.call('INCRBY', P .. 'bytes', m.b)
          done.b = m.b
          redis.call('HSET', unpack(fields))
        end)
      end
    end
  end)
  counts = {}
  fresh_keys = {}
  v_msgs, v_bytes, v_orig = 0, 0, {}
  if not ok then
    if type(err) == 'table' then err = err.err end
    broken = tostring(err)
    error(broken)
  end
end

local function held_bytes()
  local b = counts.bytes
  if not b then
    b = tonumber(redis.call('GET', P .. 'bytes') or '0')
    counts.bytes = b
  end
  return b
end

local function count_of(zset)
  local n = counts[zset]
  if not n then
    n = redis.call('ZCARD', zset)
    counts[zset] = n
  end
  return n
end

-- The message to evict: the oldest of the originator holding the most, else the oldest. Returns
-- its key and, when found in P o:ORIG, ORIG (so an entry without a hash leaves that set).
local function victim(keep)
  local top = redis.call('ZREVRANGE', P .. 'load', 0, 0)
  if #top > 0 then
    for _, k in ipairs(redis.call('ZRANGE', P .. 'o:' .. top[1], 0, 1)) do if k ~= keep then return k, top[1] end end
  end
  for _, k in ipairs(redis.call('ZRANGE', P .. 'order', 0, 1)) do if k ~= keep then return k, nil end end
  return nil
end

-- Evicts until over() is false or no victim is left. Each drop takes its entry off the set it
-- came from, so a victim seen again means the indexes hold what no drop takes off (a key given
-- the wrong type behind the store's back): the loop stops there rather than run for ever
-- (Redis would answer every client BUSY), and the bound is left exceeded.
local function evict(keep, bound, over)
  local seen = {}
  while over() do
    local x, orig = victim(keep)
    if not x or seen[x] then return end
    seen[x] = true
    drop(x, 'evicted', bound, orig, true)
  end
end

local function duplicate(late)
  if #lost == 0 then return -late end
  return { 'duplicate', lost_json(), late }
end

local function complete(mk)
  local c = claim(mk, now, me)
  local out = { 'complete', lost_json() }
  for _, x in ipairs(c) do out[#out + 1] = x end
  return out
end

-- A segment of a fresh message: held in memory, or the message written whole, claimed for me.
-- Returns nil when a bound could be reached: the caller writes the fresh messages out and
-- takes the step the usual way.
local function add_fresh(m, mk, s, data, total)
  local held = m.p[s]
  if held then
    if held == data then return duplicate(0) end
    return { 'conflict', lost_json() }
  end
  local len = string.len(data)
  if m.n + 1 == total then
    local names = parts_of(total)
    local fields = { M .. mk, 'o', m.o, 'f', now_s, 't', total, 'n', total, 'b', m.b + len, 'st', 'claimed', 'cl', me, 'ca', now_s, 'h', 1 }
    local out = { 'complete', lost_json(), now, m.b + len, 1 }
    for i = 1, total do
      local d = m.p[i] or data
      fields[#fields + 1] = names[i]
      fields[#fields + 1] = d
      out[5 + i] = d
    end
    -- P claims first, as a completion a call a step makes: if it fails nothing is written, and
    -- the message stays fresh, written open with what it held at the end of the call (the
    -- SMSC's resend completes it). The HSET before fresh[mk] = nil: if it fails the message
    -- stays fresh too, and writing it open at the end of the call writes the same key, which
    -- fails as well, so the call breaks (answers 'broken', no step answered, every drop
    -- reported). Its P claims entry then names no hash, which the sweep takes off.
    redis.call('ZADD', P .. 'claims', now_s, mk)
    redis.call('HSET', unpack(fields))
    fresh[mk] = nil
    v_msgs, v_bytes = v_msgs - 1, v_bytes - m.b
    v_orig[m.o] = v_orig[m.o] - 1
    return out
  end
  if held_bytes() + v_bytes + len > maxBytes then return nil end
  m.p[s] = data
  m.n, m.b = m.n + 1, m.b + len
  v_bytes = v_bytes + len
  if #lost == 0 then return m.n end
  return { 'held', lost_json(), m.n }
end

-- One read of the message: state, first seen, received, octets, handovers, then every part.
local function add(mk, orig, s, data, total, own)
  local m = fresh[mk]
  if m then
    local r = add_fresh(m, mk, s, data, total)
    if r then return r end
    materialize()
  end
  local key = M .. mk
  local names = parts_of(total)
  local seq = names[s]
  local v = redis.call('HMGET', key, 'st', 'f', 'n', 'b', 'h', unpack(names))
  local st = v[1]
  if st and st ~= 'claimed' and tonumber(v[2]) <= deadline then
    drop(mk, 'expired', nil)
    st = nil
  end
  if st and st ~= 'open' then
    if v[5 + s] ~= data then return { 'conflict', lost_json() } end
    if st == 'claimed' and claim_holds(key, now, me, own, claimTimeout) then return { 'busy', lost_json() } end
    return complete(mk)
  end
  local n, b, h, first = 0, 0, 0, now
  if st then
    local held = v[5 + s]
    if held then
      if held == data then return duplicate(0) end
      return { 'conflict', lost_json() }
    end
    n, b, h, first = tonumber(v[3]), tonumber(v[4]), tonumber(v[5]), v[2]
  else
    local fk = P .. 'f:' .. mk
    local prints = redis.call('GET', fk)
    if prints then
      if string.sub(prints, s * 40 - 39, s * 40) == redis.sha1hex(data) then return duplicate(1) end
      redis.call('DEL', fk)
    end
    local byOrig = count_of(P .. 'o:' .. orig)
    local all = count_of(P .. 'order')
    local len = string.len(data)
    if byOrig + (v_orig[orig] or 0) < maxPerOrig and all + v_msgs < maxMsgs
      and held_bytes() + v_bytes + len <= maxBytes then
      -- Fresh: kept here until it completes or the call ends.
      fresh[mk] = { o = orig, t = total, n = 1, b = len, p = { [s] = data } }
      fresh_keys[#fresh_keys + 1] = mk
      v_msgs, v_bytes = v_msgs + 1, v_bytes + len
      v_orig[orig] = (v_orig[orig] or 0) + 1
      if #lost == 0 then return 1 end
      return { 'held', lost_json(), 1 }
    end
    materialize()
    if redis.call('ZCARD', P .. 'o:' .. orig) >= maxPerOrig then
      drop(redis.call('ZRANGE', P .. 'o:' .. orig, 0, 0)[1], 'evicted', 'originator', orig, true)
    end
    evict(nil, 'messages', function() return redis.call('ZCARD', P .. 'order') >= maxMsgs end)
  end
  local len = string.len(data)
  -- One write of the segment and the counts; a new message's fields with it.
  local fields = { key, seq, data, 'n', n + 1, 'b', b + len }
  if not st then
    for _, x in ipairs({ 'o', orig, 'f', now_s, 't', total, 'st', 'open', 'h', 0 }) do fields[#fields + 1] = x end
  end
  if n + 1 == total then
    -- Complete: claimed for me in the same write; the parts are those just read and this one.
    -- P claims, the hash, then the open indexes (octets first). A write that fails part way
    -- is answered with an error and leaves: the message open as it was (a P claims entry of an
    -- open hash, which the sweep takes off); or claimed and in P claims (the sweep hands it
    -- over once the claim lapses), still in P order or P o:ORIG, which it then just leaves.
    -- Never a hash outside every index, nor octets counted that no open hash holds.
    h = h + 1
    for _, x in ipairs({ 'st', 'claimed', 'cl', me, 'ca', now_s, 'h', h }) do fields[#fields + 1] = x end
    redis.call('ZADD', P .. 'claims', now_s, mk)
    redis.call('HSET', unpack(fields))
    -- New and complete at once (one segment): no open index names it.
    if st then unlink_open(mk, orig, b) end
    local out = { 'complete', lost_json(), first, b + len, h }
    for i = 1, total do
      if i == s then out[5 + i] = data else out[5 + i] = st and v[5 + i] end
    end
    return out
  end
  return undoing(mk, orig, function(done)
    if not st then
      open_indexes(mk, orig, done)
      counts = {}
    end
    local bytes = redis.call('INCRBY', P .. 'bytes', len)
    done.b = len
    counts.bytes = bytes
    if bytes + v_bytes > maxBytes and v_msgs > 0 then
      materialize()
      bytes = held_bytes()
    end
    evict(mk, 'bytes', function()
      bytes = held_bytes()
      return bytes > maxBytes
    end)
    redis.call('HSET', unpack(fields))
    done.b = nil
    if bytes > maxBytes then
      -- Alone over the bound: it can never complete, so it goes, this segment with it.
      drop(mk, 'evicted', 'bytes')
      return { 'dropped', lost_json() }
    end
    if #lost == 0 then return n + 1 end
    return { 'held', lost_json(), n + 1 }
  end)
end

-- The message's segments go; their SHA-1s stay for timeoutMs (late duplicates).
local function finish(mk, total)
  local key = M .. mk
  local v = redis.call('HMGET', key, 'st', unpack(parts_of(total)))
  if not v[1] or v[1] == 'open' then return 0 end
  local prints = {}
  for i = 1, total do
    local part = v[1 + i]
    if part then prints[i] = redis.sha1hex(part) else prints[i] = string.rep('-', 40) end
  end
  redis.call('SET', P .. 'f:' .. mk, table.concat(prints), 'PX', timeout)
  -- The hash before its index: a ZREM that fails leaves an entry without a hash (the sweep
  -- takes it off), never a claimed hash no index names.
  redis.call('DEL', key)
  redis.call('ZREM', P .. 'claims', mk)
  return 1
end

local function release(mk, h)
  local key = M .. mk
  local v = redis.call('HMGET', key, 'st', 'cl', 'h')
  if v[1] ~= 'claimed' or v[2] ~= me or tonumber(v[3]) ~= h then return 0 end
  redis.call('HSET', key, 'st', 'released', 'cl', '', 'ra', now_s)
  return 1
end

local out, all_lost = {}, {}
local function broken_reply()
  keep_lost(me, ARGV[10], all_lost)
  local json = ''
  if #all_lost > 0 then json = '[' .. table.concat(all_lost, ',') .. ']' end
  return { 'broken', tostring(broken), json }
end
-- A step that cannot be read: answered with an error, and the call reads no further (where the
-- next step begins is not known); the steps before it stand, the fresh messages are written.
local function unreadable(at, why)
  if type(why) == 'table' then why = why.err end
  out[#out + 1] = { 'error', 'step ' .. (#out + 1) .. ' at octet ' .. at .. ' cannot be read: ' .. tostring(why), '' }
end
local steps = ARGV[9]
local at, size = 1, string.len(steps)
while at <= size do
  local step = string.byte(steps, at)
  lost = {}
  local ok, r
  -- Read under pcall too: a packing mistake fails its step, not the call (and the fresh messages).
  local read, a, b, c, d, e, f, nxt
  if step == 97 then -- 'a' MK originator sequence total own data
    read, a, b, c, d, e, f, nxt = pcall(struct.unpack, '>Hc0Hc0BBBHc0', steps, at + 1)
    if read then ok, r = pcall(add, a, b, c, f, d, e == 1) end
  elseif step == 102 then -- 'f' MK total
    read, a, b, nxt = pcall(struct.unpack, '>Hc0B', steps, at + 1)
    if read then ok, r = pcall(finish, a, b) end
  elseif step == 114 then -- 'r' MK handovers
    read, a, b, nxt = pcall(struct.unpack, '>Hc0I4', steps, at + 1)
    if read then ok, r = pcall(release, a, b) end
  else
    read, a = false, 'unknown step ' .. tostring(step)
  end
  if not read then
    unreadable(at, a)
    break
  end
  at = nxt
  for _, x in ipairs(lost) do all_lost[#all_lost + 1] = x end
  if broken then return broken_reply() end
  if not ok then
    if type(r) == 'table' then r = r.err end
    r = { 'error', tostring(r), lost_json() }
  end
  out[#out + 1] = r
end
if not pcall(materialize) then return broken_reply() end
keep_lost(me, ARGV[10], all_lost)
return out
`;

/**
 * ARGV: prefix, now, timeoutMs, me, claimTimeoutMs, limit, this call's id, then the ids of this
 * node's calls whose replies it never read: their kept loss reports are taken and reported here
 * (and kept again under this call's id, with this sweep's own, in case this reply is lost too).
 * A copy cjson cannot read is set aside: left where it is (it expires), not kept again, only
 * counted, so one damaged copy neither fails every sweep nor spoils the others. A sweep treats
 * this node's own claims as held until claimTimeoutMs.
 * Returns { lost, kept, found, unreadable, orphans... }: lost this sweep's own drops (JSON
 * list, '' when none), kept the copies read (a list, each comma-joined JSON objects), found one
 * character an id given ('1' its copy was there, '0' not: that call dropped nothing, or has not
 * run yet), unreadable how many copies were set aside; each orphan flattened as its length n,
 * then n values: MK, first seen, octets, handovers, parts. When a Redis call fails part way:
 * { lost, kept, found, unreadable, -1, message }, so the drops made before it are still
 * reported (the claims it made lapse after claimTimeoutMs).
 *
 * A lapsed claim handed over here is marked nr: its completing segment may have been answered
 * already (docs/state.md, "The bearer on the store"), so when its handler fails and it is
 * released, no SMSC resend is waited for: a later sweep hands it out again (rn counts those),
 * on the REDELIVERY_* schedule, until it is finished or its timeoutMs passes. The claim is this
 * script's, atomic, so each hand-out goes to one node; a node that dies holding it lets its
 * claim lapse, and the message is handed over again.
 */
export const SWEEP = `${COMMON}
local now, timeout, me, claimTimeout, limit = tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
local deadline = now - timeout
local kept, found, unreadable = {}, {}, 0
for i = 8, #ARGV do
  local k = P .. 'l:' .. me .. ':' .. ARGV[i]
  local copy = redis.pcall('GET', k)
  if type(copy) == 'string' then
    found[#found + 1] = '1'
    if pcall(cjson.decode, '[' .. copy .. ']') then
      kept[#kept + 1] = copy
      redis.pcall('DEL', k)
    else
      unreadable = unreadable + 1
    end
  else
    found[#found + 1] = '0'
  end
end
local out = { '', kept, table.concat(found), unreadable }
local ok, err = pcall(function()
  for _, mk in ipairs(redis.call('ZRANGEBYSCORE', P .. 'order', '-inf', deadline, 'LIMIT', 0, limit)) do
    drop(mk, 'expired', nil, nil, true)
  end
  -- Hands mk to me; marked nr: a sweep handed it over, so once released no resend is waited for.
  local function hand(mk, retries)
    local c = claim(mk, now, me)
    if retries then
      redis.call('HSET', M .. mk, 'nr', 1, 'rn', retries)
    else
      redis.call('HSET', M .. mk, 'nr', 1)
    end
    out[#out + 1] = #c + 1
    out[#out + 1] = mk
    for _, x in ipairs(c) do out[#out + 1] = x end
  end
  for _, mk in ipairs(redis.call('ZRANGE', P .. 'claims', 0, limit - 1)) do
    local key = M .. mk
    local v = redis.call('HMGET', key, 'st', 'f', 'nr', 'rn', 'ca', 'ra')
    if not v[1] then
      -- Its hash is gone (a write that failed part way): taken off, or such entries would pile
      -- up at the front and keep every later claim from the sweep.
      unlink_stale(mk, nil)
    elseif v[1] == 'open' then
      redis.call('ZREM', P .. 'claims', mk)
    elseif v[1] == 'released' then
      if tonumber(v[2]) <= deadline then
        drop(mk, 'expired', nil)
      elseif v[3] then
        -- Its handler failed after a sweep handed it over: handed out again, backing off from
        -- the later of the try's start and its release (an older version's release writes no ra).
        local n = tonumber(v[4] or '0') + 1
        if now >= math.max(tonumber(v[5] or '0'), tonumber(v[6] or '0')) + math.min(${REDELIVERY_FIRST_MS} * 2 ^ (n - 1), ${REDELIVERY_MAX_MS}) then
          hand(mk, n)
        end
      end
    elseif v[1] == 'claimed' and not claim_holds(key, now, me, true, claimTimeout) then
      hand(mk, nil)
    end
  end
end)
local all = {}
for _, x in ipairs(kept) do all[#all + 1] = x end
for _, x in ipairs(lost) do all[#all + 1] = x end
keep_lost(me, ARGV[7], all)
if not ok then
  if type(err) == 'table' then err = err.err end
  return { lost_json(), kept, table.concat(found), unreadable, -1, tostring(err) }
end
out[1] = lost_json()
return out
`;

/**
 * Finishes again what a node finished and could not store (its finish step failed: Redis away,
 * the reply lost), each only while it is still that node's claim of the same handover: claimed
 * by me, with the first-seen time and handover count the node was given. A message another node
 * has taken over since (or this node's sweep, after claimTimeoutMs) is being delivered again
 * and is left to that delivery; a later message under the same key is another message. So a
 * handler that succeeded is not handed out again only because its finish was not stored.
 *
 * ARGV: prefix, timeoutMs, me, then for each message: MK, total, first seen, handovers.
 * Returns one number a message: 1 finished; 2 left, still this node's claim but of another
 * handover (its sweep handed it to itself again) or another message: this node delivers it
 * now; 0 left, not this node's claim (another's, released, or gone).
 */
export const FINISH_OWN = `
local P, timeout, me = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local out = {}
for i = 4, #ARGV - 3, 4 do
  local mk, total = ARGV[i], tonumber(ARGV[i + 1])
  local key = P .. 'm:' .. mk
  local v = redis.call('HMGET', key, 'st', 'cl', 'f', 'h')
  if v[1] == 'claimed' and v[2] == me and tonumber(v[3]) == tonumber(ARGV[i + 2]) and tonumber(v[4]) == tonumber(ARGV[i + 3]) then
    -- As TURN's finish: the fingerprints kept for timeoutMs, the hash before its index.
    local prints = {}
    for s = 1, total do
      local part = redis.call('HGET', key, tostring(s))
      if part then prints[s] = redis.sha1hex(part) else prints[s] = string.rep('-', 40) end
    end
    redis.call('SET', P .. 'f:' .. mk, table.concat(prints), 'PX', timeout)
    redis.call('DEL', key)
    redis.call('ZREM', P .. 'claims', mk)
    out[#out + 1] = 1
  elseif v[1] == 'claimed' and v[2] == me then
    out[#out + 1] = 2
  else
    out[#out + 1] = 0
  end
end
return out
`;

/** ARGV: prefix, id, json, me, maxRecords. Returns the new version, or -1 when the table is full. */
export const RECORD_PUT = `
local P, id, json, me, max = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
if redis.call('HEXISTS', P .. 'reg', id) == 0 and redis.call('HLEN', P .. 'reg') >= max then return -1 end
redis.call('HSET', P .. 'reg', id, json)
local v = redis.call('INCR', P .. 'reg:v')
redis.call('PUBLISH', P .. 'reg:changed', v .. ' ' .. me)
return v
`;

/** ARGV: prefix, id, me. Returns the version (unchanged when nothing was deleted). */
export const RECORD_DELETE = `
local P, id, me = ARGV[1], ARGV[2], ARGV[3]
if redis.call('HDEL', P .. 'reg', id) == 0 then return tonumber(redis.call('GET', P .. 'reg:v') or '0') end
local v = redis.call('INCR', P .. 'reg:v')
redis.call('PUBLISH', P .. 'reg:changed', v .. ' ' .. me)
return v
`;

/** ARGV: prefix, name, data, attributes JSON, now, maxQueued. Returns the entry id, or false when full. */
export const ENQUEUE = `
local P, name = ARGV[1], ARGV[2]
local k = P .. 'q:' .. name
if redis.call('XLEN', k) >= tonumber(ARGV[6]) then return false end
if redis.call('EXISTS', k) == 0 then redis.call('XGROUP', 'CREATE', k, 'wappush', '0', 'MKSTREAM') end
redis.call('SADD', P .. 'queues', name)
return redis.call('XADD', k, '*', 'd', ARGV[3], 'a', ARGV[4], 't', ARGV[5])
`;

/** ARGV: prefix, name, id. Acknowledged and deleted, so the stream's length is what is left to do. */
export const ACK = `
local k = ARGV[1] .. 'q:' .. ARGV[2]
redis.call('XACK', k, 'wappush', ARGV[3])
return redis.call('XDEL', k, ARGV[3])
`;

/**
 * ARGV: prefix, name, me, minIdleMs, count. Takes over the items of consumers whose node is
 * gone, then those idle past minIdleMs. Returns { id, fields, deliveries }... flattened.
 *
 * The idle ones are found with XPENDING IDLE, which looks through the whole pending list (at
 * most maxQueued entries: the stream holds no more) as memory and lmdb look through all in
 * flight. Not XAUTOCLAIM: its COUNT also bounds its scan (10 entries per item asked for), so
 * a lapsed item behind more than that many reclaimed afresh, still failing, waited for those
 * to lapse again.
 */
export const RECLAIM = `
local P, name, me, minIdle, count = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local k = P .. 'q:' .. name
if redis.call('EXISTS', k) == 0 then return {} end
local ok, summary = pcall(redis.call, 'XPENDING', k, 'wappush')
if not ok then return {} end
local ids = {}
if summary[4] then
  for _, c in ipairs(summary[4]) do
    if #ids >= count then break end
    if c[1] ~= me and redis.call('EXISTS', P .. 'node:' .. c[1]) == 0 then
      for _, e in ipairs(redis.call('XPENDING', k, 'wappush', '-', '+', count - #ids, c[1])) do ids[#ids + 1] = e[1] end
    end
  end
end
local out = {}
local claimed = {}
if #ids > 0 then
  for _, e in ipairs(redis.call('XCLAIM', k, 'wappush', me, 0, unpack(ids))) do if e then claimed[#claimed + 1] = e end end
end
if #claimed < count then
  local idle = {}
  for _, e in ipairs(redis.call('XPENDING', k, 'wappush', 'IDLE', minIdle, '-', '+', count - #claimed)) do
    idle[#idle + 1] = e[1]
  end
  if #idle > 0 then
    -- Redis 6.2 answers nil for an entry deleted while pending: not counted as claimed.
    for _, e in ipairs(redis.call('XCLAIM', k, 'wappush', me, minIdle, unpack(idle))) do if e then claimed[#claimed + 1] = e end end
  end
end
for _, e in ipairs(claimed) do
  if e and e[2] then
    local p = redis.call('XPENDING', k, 'wappush', e[1], e[1], 1)
    out[#out + 1] = e[1]
    out[#out + 1] = e[2]
    out[#out + 1] = p[1] and p[1][4] or 1
  end
end
return out
`;
