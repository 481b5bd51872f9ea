/**
 * @generated SignedSource<<315fd2532b80b447e6d093ad01b2f595>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import { ConcreteRequest } from 'relay-runtime';
export type ProviderMutationsRenameMutation$variables = {
  id: string;
  name: string;
};
export type ProviderMutationsRenameMutation$data = {
  readonly updateProvider: {
    readonly __typename: string;
    readonly message?: string | null | undefined;
    readonly provider?: {
      readonly id: string;
      readonly name: string | null | undefined;
    };
  } | null | undefined;
};
export type ProviderMutationsRenameMutation = {
  response: ProviderMutationsRenameMutation$data;
  variables: ProviderMutationsRenameMutation$variables;
};

const node: ConcreteRequest = (function(){
var v0 = [
  {
    "defaultValue": null,
    "kind": "LocalArgument",
    "name": "id"
  },
  {
    "defaultValue": null,
    "kind": "LocalArgument",
    "name": "name"
  }
],
v1 = [
  {
    "alias": null,
    "args": [
      {
        "kind": "Variable",
        "name": "id",
        "variableName": "id"
      },
      {
        "fields": [
          {
            "kind": "Variable",
            "name": "name",
            "variableName": "name"
          }
        ],
        "kind": "ObjectValue",
        "name": "input"
      }
    ],
    "concreteType": null,
    "kind": "LinkedField",
    "name": "updateProvider",
    "plural": false,
    "selections": [
      {
        "alias": null,
        "args": null,
        "kind": "ScalarField",
        "name": "__typename",
        "storageKey": null
      },
      {
        "kind": "InlineFragment",
        "selections": [
          {
            "alias": null,
            "args": null,
            "concreteType": "Provider",
            "kind": "LinkedField",
            "name": "provider",
            "plural": false,
            "selections": [
              {
                "alias": null,
                "args": null,
                "kind": "ScalarField",
                "name": "id",
                "storageKey": null
              },
              {
                "alias": null,
                "args": null,
                "kind": "ScalarField",
                "name": "name",
                "storageKey": null
              }
            ],
            "storageKey": null
          }
        ],
        "type": "UpdateProviderSuccess",
        "abstractKey": null
      },
      {
        "kind": "InlineFragment",
        "selections": [
          {
            "alias": null,
            "args": null,
            "kind": "ScalarField",
            "name": "message",
            "storageKey": null
          }
        ],
        "type": "Error",
        "abstractKey": "__isError"
      }
    ],
    "storageKey": null
  }
];
return {
  "fragment": {
    "argumentDefinitions": (v0/*:: as any*/),
    "kind": "Fragment",
    "metadata": null,
    "name": "ProviderMutationsRenameMutation",
    "selections": (v1/*:: as any*/),
    "type": "Mutation",
    "abstractKey": null
  },
  "kind": "Request",
  "operation": {
    "argumentDefinitions": (v0/*:: as any*/),
    "kind": "Operation",
    "name": "ProviderMutationsRenameMutation",
    "selections": (v1/*:: as any*/)
  },
  "params": {
    "cacheID": "d3c9cbda552ec327eb76e23487e1379a",
    "id": null,
    "metadata": {},
    "name": "ProviderMutationsRenameMutation",
    "operationKind": "mutation",
    "text": "mutation ProviderMutationsRenameMutation(\n  $id: ID!\n  $name: String!\n) {\n  updateProvider(id: $id, input: {name: $name}) {\n    __typename\n    ... on UpdateProviderSuccess {\n      provider {\n        id\n        name\n      }\n    }\n    ... on Error {\n      __isError: __typename\n      message\n    }\n  }\n}\n"
  }
};
})();

(node as any).hash = "b30938ab936c2146fcc557289865891f";

export default node;
