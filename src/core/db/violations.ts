/** Recognises constraint violations from either engine, so services can answer 409 / 400 instead of 500. */
interface DriverError {
  code?: unknown;
}

const codeOf = (error: unknown): unknown =>
  typeof error === 'object' && error !== null ? (error as DriverError).code : undefined;

export const isUniqueViolation = (error: unknown): boolean => {
  const code = codeOf(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
};

export const isForeignKeyViolation = (error: unknown): boolean => {
  const code = codeOf(error);
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
};
