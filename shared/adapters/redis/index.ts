export { RedisRateLimiter, type RedisRateLimiterOptions, type OnRedisDown } from './RedisRateLimiter';
export { RedlockLockManager, type RedlockLockManagerOptions } from './RedlockLockManager';
export { createRedisLimiting, type RedisLimitingOptions, type RedisLimiting } from './createRedisLimiting';
export { FallbackRateLimiter } from './FallbackRateLimiter';
export { RedisUnavailableError, InvalidLimitPolicyError, AcquireAbortedError } from './errors';
export { connectRedis, type RedisConnectionOptions } from './connectRedis';
