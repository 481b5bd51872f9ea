import {
  type Environment,
  type GraphQLTaggedNode,
  type MutationParameters,
  commitMutation,
  createOperationDescriptor,
  fetchQuery,
  getSelector,
} from 'relay-runtime';
import ProviderCardRefetchQuery, { type ProviderCardRefetchQuery as RefetchQuery } from './__generated__/ProviderCardRefetchQuery.graphql.ts';
import ProviderCardFragment, { type ProviderCard_provider$data } from './__generated__/ProviderCard_provider.graphql.ts';
import ProviderListPaginationQuery, { type ProviderListPaginationQuery as PaginationQuery } from './__generated__/ProviderListPaginationQuery.graphql.ts';
import ProviderListQuery, { type ProviderFilter, type ProviderListQuery as ListQuery } from './__generated__/ProviderListQuery.graphql.ts';
import ProviderListFragment, { type ProviderList_query$data } from './__generated__/ProviderList_query.graphql.ts';
import CreateMutation, { type ProviderMutationsCreateMutation } from './__generated__/ProviderMutationsCreateMutation.graphql.ts';
import DeleteMutation, { type ProviderMutationsDeleteMutation } from './__generated__/ProviderMutationsDeleteMutation.graphql.ts';
import RenameMutation, { type ProviderMutationsRenameMutation } from './__generated__/ProviderMutationsRenameMutation.graphql.ts';

/** What a React component would get from useFragment: the fragment's data, read from the store. */
function readFragment<Data>(environment: Environment, fragment: GraphQLTaggedNode, reference: unknown): Data {
  return environment.lookup(getSelector(fragment as never, reference as never) as never).data as Data;
}

/** A paginated list of providers, as usePaginationFragment keeps it: every page loaded so far, merged by @connection. */
export class ProviderList {
  private readonly operation;

  constructor(
    private readonly environment: Environment,
    private readonly variables: { first: number; filter?: ProviderFilter },
  ) {
    this.operation = createOperationDescriptor(ProviderListQuery, variables);
    // Retained, as a mounted component retains its query, so that the store keeps its records.
    environment.retain(this.operation);
  }

  async load(): Promise<ProviderList_query$data['providers']> {
    await fetchQuery<ListQuery>(this.environment, ProviderListQuery, this.variables).toPromise();
    return this.read();
  }

  /** Fetches the page after the last one loaded; the connection handler appends its edges. */
  async loadNext(): Promise<ProviderList_query$data['providers']> {
    const after = this.read()?.pageInfo.endCursor;
    await fetchQuery<PaginationQuery>(this.environment, ProviderListPaginationQuery, { ...this.variables, after }).toPromise();
    return this.read();
  }

  /** The list as the store holds it now: no request. */
  read(): ProviderList_query$data['providers'] {
    const root = this.environment.lookup(this.operation.fragment).data;
    return readFragment<ProviderList_query$data>(this.environment, ProviderListFragment, root).providers;
  }
}

/** Fetches one provider again by its global ID (through `node`), as useRefetchableFragment does; null when it no longer exists. */
export async function refetchProvider(environment: Environment, id: string): Promise<ProviderCard_provider$data | null> {
  const data = await fetchQuery<RefetchQuery>(environment, ProviderCardRefetchQuery, { id }).toPromise();
  return data?.node ? readFragment<ProviderCard_provider$data>(environment, ProviderCardFragment, data.node) : null;
}

function mutate<Operation extends MutationParameters>(environment: Environment, mutation: GraphQLTaggedNode, variables: Operation['variables']) {
  return new Promise<Operation['response']>((resolve, reject) => {
    commitMutation<Operation>(environment, {
      mutation,
      variables,
      onCompleted: (response, errors) => (errors?.length ? reject(new Error(errors[0].message)) : resolve(response)),
      onError: reject,
    });
  });
}

/** Creates a provider; an invalid input comes back as InvalidInputError, told apart by `__typename`. */
export async function createProvider(environment: Environment, input: { name: string; contactEmail: string; category: string; website?: string }) {
  const { createProvider: result } = await mutate<ProviderMutationsCreateMutation>(environment, CreateMutation, { input });
  switch (result?.__typename) {
    case 'CreateProviderSuccess':
      return result.provider;
    case 'InvalidInputError':
      throw new Error((result.issues ?? []).map((issue) => `${issue.field}: ${issue.message}`).join('; '));
    default:
      throw new Error(`createProvider answered ${result?.__typename}`);
  }
}

/** Renames a provider. Relay writes the returned `name` into the provider's record, so every list and card showing it updates. */
export async function renameProvider(environment: Environment, id: string, name: string) {
  const { updateProvider: result } = await mutate<ProviderMutationsRenameMutation>(environment, RenameMutation, { id, name });
  if (result?.__typename !== 'UpdateProviderSuccess') throw new Error(`updateProvider answered ${result?.__typename}`);
  return result.provider;
}

/** Deletes a provider; @deleteRecord removes its record from the store. */
export async function deleteProvider(environment: Environment, id: string): Promise<string> {
  const { deleteProvider: result } = await mutate<ProviderMutationsDeleteMutation>(environment, DeleteMutation, { id });
  if (result?.__typename !== 'Deletion' || !result.deletedId) throw new Error(`deleteProvider answered ${result?.__typename}`);
  return result.deletedId;
}
