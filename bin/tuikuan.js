#!/usr/bin/env node
import { availableParallelism } from 'node:os';

// Replies are signed on libuv's thread pool: give it a thread per core (it is sized on first use).
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, availableParallelism()));
await import('../dist/src/cli/main.js');
