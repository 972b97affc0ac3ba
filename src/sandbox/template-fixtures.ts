/**
 * Meta's own template-creation examples, copied from the request examples of
 * `POST /{Version}/{WABA-ID}/message_templates` in facebook/openapi
 * `business-messaging-api_v23.0.yaml` (MIT; HEAD ecba623), plus the two templates of its
 * `GET` response example. Meta approved these, so the sandbox must too: they are the test
 * fixtures of `template-review.test.ts` and `template-send.test.ts`, and seed data for a
 * sandbox WABA.
 *
 * Changes from the spec, and why: the Postman placeholder `<TEMPLATE_NAME>` (not a valid name)
 * is replaced by a real name; `{{Flow-ID}}` / `{{Flow-Name}}` Postman variables are kept, as
 * Meta does not look inside them at creation. The duplicate "Create catalog template" example
 * (an exact copy of the one-tap authentication example) is kept once.
 */
export interface MetaTemplateExample {
  /** The example's title in the spec. */
  title: string;
  /** The request body, exactly as the spec gives it apart from the changes above. */
  request: Record<string, unknown>;
}

const IMAGE_HANDLES = [
  '4::aW1hZ2UvanBn:ARYytyb0kLp5htbBB8vWlclG5M9gMBxiEyt4FNCvrueWBOmFmRAztEuNtPGUnEC22Etc_SAAVU0YJOk3B7A-JuR1241_nq7gfITFxXKdDGnfvw:e:1681000441:634974688087057:100089620928913:ARbB4l0IPRncfMF-1sE',
  '4::aW1hZ2UvanBn:ARZewDmbZuoq3rGUO1WgXjJEYcI1Tt7jr_Z6o2-oD5rg4--AQarBV_S1BYEcR8INJkctK0lNJmQ5v7PsBo-vqB-N0DSTe2-G6jHOlxKc12KSSg:e:1681000441:634974688087057:100089620928913:ARZQmT7tfO0sW--3oLo',
  '4::aW1hZ2UvanBn:ARZkcJXFoEMa0YMMd2WQT8aVMJFaUPlSYW9xXshyh1bP-Pd6JP4t2VbrZezqGOEfC-acYkRZA5Q31FX7dEE_hQ9a-0i-b-RaueQrWO6vWk-7bQ:e:1681000441:634974688087057:100089620928913:ARYlgv7ErOQGsZYClfs',
].join('\n');

const FLOW_JSON =
  '{"version":"5.0","screens":[{"id":"WELCOME_SCREEN","layout":{"type":"SingleColumnLayout","children":[{"type":"TextHeading","text":"Hello World"},{"type":"Footer","label":"Complete","on-click-action":{"name":"complete","payload":{}}}]},"title":"Welcome","terminal":true,"success":true,"data":{}}]}';

export const META_TEMPLATE_EXAMPLES: readonly MetaTemplateExample[] = [
  {
    title: 'Create Flow Template Message by Flow JSON',
    request: {
      category: 'MARKETING',
      components: [
        { text: 'Check out this new offer', type: 'body' },
        { buttons: [{ flow_action: 'navigate', flow_json: FLOW_JSON, navigate_screen: 'WELCOME_SCREEN', text: 'Check out this offer!', type: 'FLOW' }], type: 'BUTTONS' },
      ],
      language: 'en_US',
      name: 'flow_offer_by_json',
    },
  },
  {
    title: 'Create Flow Template Message by ID',
    request: {
      category: 'MARKETING',
      components: [
        { text: 'Check out this new offer', type: 'body' },
        { buttons: [{ flow_action: 'navigate', flow_id: '{{Flow-ID}}', navigate_screen: '<SCREEN_ID>', text: 'Check out this offer!', type: 'FLOW' }], type: 'BUTTONS' },
      ],
      language: 'en_US',
      name: 'flow_offer_by_id',
    },
  },
  {
    title: 'Create Flow Template Message by Name',
    request: {
      category: 'MARKETING',
      components: [
        { text: 'Check out this new offer', type: 'body' },
        { buttons: [{ flow_action: 'navigate', flow_name: '{{Flow-Name}}', navigate_screen: '<SCREEN_ID>', text: 'Check out this offer!', type: 'FLOW' }], type: 'BUTTONS' },
      ],
      language: 'en_US',
      name: 'flow_offer_by_name',
    },
  },
  {
    title: 'Create authentication template w/ OTP copy code button',
    request: {
      category: 'AUTHENTICATION',
      components: [
        { add_security_recommendation: true, type: 'BODY' },
        { code_expiration_minutes: 10, type: 'FOOTER' },
        { buttons: [{ otp_type: 'COPY_CODE', text: 'Copy Code', type: 'OTP' }], type: 'BUTTONS' },
      ],
      language: 'en_US',
      name: 'authentication_code_copy_code_button',
    },
  },
  {
    title: 'Create authentication template w/ OTP one-tap autofill button',
    request: {
      category: 'AUTHENTICATION',
      components: [
        { add_security_recommendation: true, type: 'BODY' },
        { code_expiration_minutes: 10, type: 'FOOTER' },
        {
          buttons: [{ autofill_text: 'Autofill', otp_type: 'ONE_TAP', package_name: 'com.example.luckyshrub', signature_hash: 'K8a%2FAINcGX7', text: 'Copy Code', type: 'OTP' }],
          type: 'BUTTONS',
        },
      ],
      language: 'en_US',
      name: 'authentication_code_autofill_button',
    },
  },
  {
    title: 'Create multi-product message template',
    request: {
      category: 'MARKETING',
      components: [
        { example: { header_text: ['Pablo'] }, format: 'TEXT', text: 'Forget something {{1}}?', type: 'HEADER' },
        { example: { body_text: [['10OFF']] }, text: 'Looks like you left some items in your cart! Use code {{1}} and you can get 10% off of all of them!', type: 'BODY' },
        { buttons: [{ text: 'View items', type: 'MPM' }], type: 'BUTTONS' },
      ],
      language: 'en_US',
      name: 'abandoned_cart',
    },
  },
  {
    title: 'Create template w/ document header, text body, a phone number button, and a URL button',
    request: {
      category: 'UTILITY',
      components: [
        {
          example: {
            header_handle: [
              '4::YXBwbGljYXRpb24vcGRm:ARZVv4zuogJMxmAdS3_6T4o_K4ll2806avA7rWpikisTzYPsXXUeKk0REjS-hIM1rYrizHD7rQXj951TKgUFblgd_BDWVROCwRkg9Vhjj-cHNQ:e:1681237341:634974688087057:100089620928913:ARa1ZDhwbLZM3EENeeg',
            ],
          },
          format: 'DOCUMENT',
          type: 'HEADER',
        },
        {
          example: { body_text: [['Mark', '860198-230332']] },
          text: 'Thank you for your order, {{1}}! Your order number is {{2}}. Tap the PDF linked above to view your receipt. If you have any questions, please use the buttons below to contact support. Thanks again!',
          type: 'BODY',
        },
        {
          buttons: [
            { phone_number: '16467043595', text: 'Call', type: 'PHONE_NUMBER' },
            { text: 'Contact Support', type: 'URL', url: 'https://www.examplesite.com/support' },
          ],
          type: 'BUTTONS',
        },
      ],
      language: 'en_US',
      name: 'order_confirmation',
    },
  },
  {
    title: 'Create template w/ image header, text body, text footer, and 2 call-to-action buttons',
    request: {
      category: 'MARKETING',
      components: [
        { example: { header_handle: [IMAGE_HANDLES] }, format: 'IMAGE', type: 'HEADER' },
        {
          example: { body_text: [['Mark', 'Tuscan Getaway package', '800']] },
          text: 'Hi {{1}}! For a limited time only you can get our {{2}} for as low as {{3}}. Tap the Offer Details button for more information.',
          type: 'BODY',
        },
        { text: 'Offer valid until May 31, 2023', type: 'FOOTER' },
        {
          buttons: [
            { phone_number: '16467043595', text: 'Call', type: 'PHONE_NUMBER' },
            { example: ['summer2023'], text: 'Shop Now', type: 'URL', url: 'https://damp-sea-63235.herokuapp.com/shop?promo={{1}}' },
          ],
          type: 'BUTTONS',
        },
      ],
      language: 'en_US',
      name: 'limited_time_offer_tuscan_getaway_2023',
    },
  },
  {
    title: 'Create template w/ location header, text body, text footer, and a website buttons',
    request: {
      category: 'UTILITY',
      components: [
        { format: 'LOCATION', type: 'HEADER' },
        { example: { body_text: [['Mark', '566701']] }, text: 'Good news {{1}}! Your order #{{2}} is on its way to the location above. Thank you for your order!', type: 'BODY' },
        { text: 'To stop receiving delivery updates, tap the button below.', type: 'FOOTER' },
        { buttons: [{ text: 'Stop Delivery Updates', type: 'QUICK_REPLY' }], type: 'BUTTONS' },
      ],
      language: 'en_US',
      name: 'order_delivery_update',
    },
  },
  {
    title: 'Create template w/ text header, text body, text footer, and 2 quick reply buttons',
    request: {
      category: 'MARKETING',
      components: [
        { example: { header_text: ['Summer Sale'] }, format: 'TEXT', text: 'Our {{1}} is on!', type: 'HEADER' },
        { example: { body_text: [['the end of August', '25OFF', '25%']] }, text: 'Shop now through {{1}} and use code {{2}} to get {{3}} off of all merchandise.', type: 'BODY' },
        { text: 'Use the buttons below to manage your marketing subscriptions', type: 'FOOTER' },
        {
          buttons: [
            { text: 'Unsubcribe from Promos', type: 'QUICK_REPLY' },
            { text: 'Unsubscribe from All', type: 'QUICK_REPLY' },
          ],
          type: 'BUTTONS',
        },
      ],
      language: 'en',
      name: 'seasonal_promotion_text_only',
    },
  },
  {
    title: 'GET message_templates example response: hello_world',
    request: {
      category: 'MARKETING',
      components: [
        { format: 'TEXT', text: 'Hello World', type: 'HEADER' },
        {
          text: 'Welcome and congratulations!! This message demonstrates your ability to send a message notification from WhatsApp Business Platform’s Cloud API. Thank you for taking the time to test with us.',
          type: 'BODY',
        },
        { text: 'WhatsApp Business API Team', type: 'FOOTER' },
      ],
      language: 'en_US',
      name: 'hello_world',
    },
  },
  {
    title: 'GET message_templates example response: 2023_april_promo',
    request: {
      category: 'MARKETING',
      components: [
        { format: 'TEXT', text: 'Fall Sale', type: 'HEADER' },
        { example: { body_text: [['Mark', 'FALL25']] }, text: 'Hi {{1}}, our Fall Sale is on! Use promo code {{2}} Get an extra 25% off every order above $350!', type: 'BODY' },
        { text: 'Not interested in any of our sales? Tap Stop Promotions', type: 'FOOTER' },
        { buttons: [{ text: 'Stop promotions', type: 'QUICK_REPLY' }], type: 'BUTTONS' },
      ],
      language: 'en_US',
      name: '2023_april_promo',
    },
  },
];
