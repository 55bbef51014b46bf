//! A small OpenAPI 3.0 document of the tests' own, written in the shape of Okta's management
//! OpenAPI (component schemas, shared responses, a discriminator with a mapping), so the
//! validator in `openapi.rs` is tested in a fresh clone too. It is not Okta's spec: its schemas
//! are reduced to what exercises each rule the validator knows.
#![allow(dead_code)]

pub const SAMPLE_OPENAPI: &str = r##"
openapi: 3.0.3
info:
  title: scimplan's sample of a management API
  version: 0.0.1
paths:
  /api/v1/apps/{appId}:
    get:
      operationId: readApp
      responses:
        '200':
          description: the app
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/App'
        '404':
          $ref: '#/components/responses/NotFound'
  /api/v1/apps/{appId}/users/{userId}:
    get:
      operationId: readAppUser
      responses:
        '200':
          description: one assignment
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/AppUser'
    delete:
      operationId: unassign
      responses:
        '204':
          description: unassigned, no body
  /api/v1/logs:
    get:
      operationId: readLog
      responses:
        '200':
          description: events
          content:
            application/json:
              schema:
                type: array
                items:
                  $ref: '#/components/schemas/Event'
components:
  responses:
    NotFound:
      description: nothing there
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Problem'
    ErrorInvalidToken401:
      description: a wrong or missing token
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Problem'
    ErrorApiValidationFailed400:
      description: refused input
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Problem'
  schemas:
    Problem:
      type: object
      properties:
        errorCode:
          type: string
        errorSummary:
          type: string
        errorCauses:
          type: array
          items:
            type: object
            additionalProperties: true
    App:
      type: object
      required:
        - label
      properties:
        id:
          type: string
          readOnly: true
        label:
          type: string
        name:
          type: string
        features:
          type: array
          items:
            type: string
        signOnMode:
          type: string
          enum:
            - SAML_2_0
            - BOOKMARK
      discriminator:
        propertyName: signOnMode
        mapping:
          SAML_2_0: '#/components/schemas/SamlApp'
          BOOKMARK: '#/components/schemas/BookmarkApp'
    SamlApp:
      allOf:
        - $ref: '#/components/schemas/App'
        - type: object
          properties:
            settings:
              type: object
              additionalProperties: true
    BookmarkApp:
      allOf:
        - $ref: '#/components/schemas/App'
        - type: object
          required:
            - url
          properties:
            url:
              type: string
    AppUser:
      type: object
      properties:
        id:
          type: string
        status:
          type: string
        syncState:
          type: string
          enum:
            - DISABLED
            - ERROR
            - PENDING
            - SYNCHRONIZED
        scope:
          type: string
        created:
          type: string
          format: date-time
        lastSync:
          type: string
          format: date-time
          nullable: true
        credentials:
          $ref: '#/components/schemas/AppUserCredentials'
        profile:
          type: object
          additionalProperties: true
    AppUserCredentials:
      type: object
      properties:
        userName:
          type: string
          minLength: 1
          maxLength: 100
        password:
          type: object
          writeOnly: true
          properties:
            value:
              type: string
    Event:
      type: object
      properties:
        eventType:
          type: string
        published:
          type: string
          format: date-time
        actor:
          type: object
          properties:
            alternateId:
              type: string
              format: email
        outcome:
          type: object
          properties:
            result:
              type: string
            reason:
              type: string
              maxLength: 255
        severity:
          type: integer
          minimum: 0
          maximum: 5
"##;
