/** Who is calling: the user, and the project the credential is scoped to. */
export type TIdentity = {
  userId: string;
  userName: string;
  domainId: string;
  domainName: string;
  projectId: string;
  projectName: string;
};
