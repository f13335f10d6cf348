/**
 * Hand-computed bytes of a small batch, shared by batch and records tests (not part of the API).
 * encodeBatch([{key:'k', value:'v1', timestamp:1000}, {value:'abc', timestamp:1003}], {baseOffset: 5})
 */
export const GOLDEN_BATCH_HEX = [
  '0000000000000005', // base_offset 5
  '00000046', // batch_len 70 = 82 - 12
  'ffffffff', // partition_leader_epoch -1
  '02', // magic
  'b45f7042', // crc: CRC-32C of bytes 21..81
  '0000', // attributes: no compression
  '00000001', // last_offset_delta 1
  '00000000000003e8', // first_timestamp 1000
  '00000000000003eb', // max_timestamp 1003
  'ffffffffffffffff', // producer_id -1
  'ffff', // producer_epoch -1
  'ffffffff', // first_sequence -1
  '00000002', // record count 2
  // record 0: len 10 (zz 0x14), attrs 0, ts delta 0, offset delta 0, key present, key len 1 (zz 02), 'k',
  // value len 2 (zz 04), 'v1', 0 headers
  '14' + '00' + '00' + '00' + '01' + '02' + '6b' + '04' + '7631' + '00',
  // record 1: len 9 (zz 0x12), attrs 0, ts delta 3 (zz 06), offset delta 1 (zz 02), no key,
  // value len 3 (zz 06), 'abc', 0 headers
  '12' + '00' + '06' + '02' + '00' + '06' + '616263' + '00',
].join('');

export const GOLDEN_CRC = 0xb45f7042;
/** Offset of record 1's offset_delta byte inside the batch (57 + 4 + 11 + 3). */
export const GOLDEN_RECORD1_OFFSET_DELTA_AT = 75;
