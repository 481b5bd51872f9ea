/** Growing and reordering the typed-array columns of the relation store. */

export type Column = Float64Array | Int32Array | Uint16Array | Uint8Array;

function allocate<T extends Column>(like: T, length: number, inShared = false): T {
  const Type = like.constructor as { new (buffer: ArrayBufferLike): T; new (length: number): T; BYTES_PER_ELEMENT: number };
  return inShared ? new Type(new SharedArrayBuffer(length * Type.BYTES_PER_ELEMENT)) : new Type(length);
}

/** A copy of `array` with room for `length` entries (or cut to them), in shared memory when `inShared`. */
export function resized<T extends Column>(array: T, length: number, inShared = false): T {
  const copy = allocate(array, length, inShared);
  copy.set(array.subarray(0, Math.min(length, array.length)) as never);
  return copy;
}

/** Rows `rows` of `array` (of `stride` entries each), in that order, in a new array of `capacity` rows. */
export function gather<T extends Column>(array: T, rows: Int32Array, stride: number, capacity: number, inShared = false): T {
  const gathered = allocate(array, capacity * stride, inShared);
  if (stride === 1) {
    for (let row = 0; row < rows.length; row++) gathered[row] = array[rows[row]];
  } else {
    for (let row = 0; row < rows.length; row++) gathered.set(array.subarray(rows[row] * stride, (rows[row] + 1) * stride) as never, row * stride);
  }
  return gathered;
}
