/** An ISO timestamp as `2025-01-31 09:15:02 UTC`: audit times are compared across time zones. */
export const formatTime = (iso: string): string => `${iso.slice(0, 19).replace('T', ' ')} UTC`;
