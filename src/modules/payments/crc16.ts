/**
 * CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR),
 * the checksum of an EMV QR code's field 63. Strings are checksummed as their UTF-8 bytes.
 *
 * @example crc16CcittFalse('123456789') // 0x29B1
 */
export function crc16CcittFalse(input: string | Uint8Array): number {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc;
}

/** The CRC as field 63 carries it: four upper-case hex digits. */
export function crc16Hex(input: string | Uint8Array): string {
  return crc16CcittFalse(input).toString(16).toUpperCase().padStart(4, '0');
}
