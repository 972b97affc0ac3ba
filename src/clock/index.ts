export { PlatformClock, realClock, type Clock, type NumberOnClock } from './clock.js';
