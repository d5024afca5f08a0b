// Placeholder so the CDK app can bundle before the real handler lands (the lead replaces it).
export const handler = async (): Promise<never> => {
  throw new Error('not wired yet');
};
