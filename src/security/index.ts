export { SecretBox } from './secret-box.js';
export { hashToken, newToken, safeEqual } from './tokens.js';
