import { graphql } from 'relay-runtime';

// Read by relay-compiler only (see ProviderList.ts). @refetchable makes relay-compiler write
// ProviderCardRefetchQuery, which fetches the fragment again through `node(id:)`.

export const fragment = graphql`
  fragment ProviderCard_provider on Provider @refetchable(queryName: "ProviderCardRefetchQuery") {
    id
    name
    category
  }
`;
